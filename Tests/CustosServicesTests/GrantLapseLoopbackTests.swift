import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import Testing

/// A role grant lapsing through the real processes (issue 14 item 2): a gateway and four signer
/// nodes on loopback sharing a test clock offset. The quorum grants alice the admin role for one
/// day; every node records the same lapse time, and counts her approval before it. Once block
/// time passes it (the offset moves the cluster's clock a day on), every node has taken the role
/// away at the same block and refuses her next approval, with the same state.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct GrantLapseLoopbackTests {
    @Test func aGrantLapsesOnEveryNodeAtTheBlockTimeItRunsOut() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        let offsetFile = TransactionFixture.clockOffsetFile(cluster)
        let clock = TransactionFixture.clockOffsetArguments(cluster)
        try Data("0".utf8).write(to: offsetFile)
        // The gateway queues approvals unchecked, so that the nodes' own checks are what is tried.
        try await cluster.startGateway(extraArguments: clock + ["--unsafe-test-queue-unchecked"])
        for id in cluster.nodeIDs { try cluster.startNode(id, extraArguments: clock) }

        try await TransactionFixture.govern(cluster, "alice-admin-1d", ["grant-role", "alice", "admin", "1"])
        let granted = try await cluster.waitForGovernance { g in g.users.first { $0.id == "alice" }?.roleExpiry["admin"] != nil }
        let expiries = Set(granted.values.compactMap { $0.governance?.users.first { $0.id == "alice" }?.roleExpiry["admin"] })
        #expect(expiries.count == 1, "every node records the same lapse time: \(expiries)")
        let lapse = try #require(expiries.first)

        // Before it runs out, her approval counts on every node.
        try await cluster.op(["propose", "--as", "erin", "--id", "add-walt", "add-user", "walt", "trader"])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "add-walt" } }
        try await cluster.op(["approve", "--yes", "--as", "alice", "add-walt"] + clock)
        let counted = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-walt" }?.approvals == ["alice"] }
        for (node, status) in counted {
            #expect(status.governance?.users.first { $0.id == "alice" }?.roles.contains("admin") == true, "\(node)")
        }

        // A day and a minute later in block time, the next block lapses it on every node.
        try Data(String(86_400_000 + 60_000).utf8).write(to: offsetFile)
        try await cluster.op(["propose", "--as", "erin", "--id", "add-wendy", "add-user", "wendy", "trader"])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "add-wendy" } }
        try await cluster.op(["approve", "--yes", "--as", "alice", "add-wendy"] + clock)
        let refused = try await cluster.waitForGovernance { g in g.refusals.contains { $0.user == "alice" && $0.operationId == "add-wendy" } }
        let reference = try #require(refused["node-1"])
        for (node, status) in refused {
            let g = try #require(status.governance)
            let alice = try #require(g.users.first { $0.id == "alice" })
            #expect(!alice.roles.contains("admin") && alice.roleExpiry.isEmpty, "\(node): \(alice.roles) \(alice.roleExpiry)")
            let refusal = try #require(g.refusals.first { $0.user == "alice" && $0.operationId == "add-wendy" })
            #expect(refusal.code == "notEligible" && refusal.blockTime >= lapse, "\(node): \(refusal.code) at \(refusal.blockTime), lapse \(lapse)")
            #expect(g.operations.first { $0.id == "add-wendy" }?.approvals == [], "\(node)")
            #expect(status.stateDigests == reference.stateDigests, "\(node) lapsed the grant at another block")
        }
        passed = true
    }
}
