import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import Testing

/// Expiring access through the real processes (issue 14 item 2): a gateway and four signer nodes
/// on loopback sharing a test clock offset, one cluster for both tests (each moves the clock on
/// from wherever it is). A role grant lapses on every node at the block time it runs out; an
/// access review lets every grant not re-confirmed by its deadline lapse on every node.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct GrantLapseLoopbackTests {
    static let shared = SharedInTurn<LocalCluster>(make: { try await makeCluster() },
                                                   end: { cluster, keepData in cluster.stopAll(removeData: !keepData) })

    static func makeCluster() async throws -> LocalCluster {
        let cluster = try await LocalCluster(nodeCount: 4)
        do {
            try Data("0".utf8).write(to: TransactionFixture.clockOffsetFile(cluster))
            let clock = TransactionFixture.clockOffsetArguments(cluster)
            // The gateway queues approvals unchecked, so that the nodes' own checks are what is tried.
            try await cluster.startGateway(extraArguments: clock + ["--unsafe-test-queue-unchecked"])
            for id in cluster.nodeIDs { try cluster.startNode(id, extraArguments: clock) }
            return cluster
        } catch {
            cluster.stopAll()
            throw error
        }
    }

    /// Runs `body` on the shared cluster; if it throws, the cluster's data is kept.
    func withSharedCluster(_ body: (LocalCluster) async throws -> Void) async throws {
        let cluster = try await Self.shared.value()
        do { try await body(cluster) } catch {
            await Self.shared.keepData()
            throw error
        }
    }

    /// Moves the cluster's block time a day and a minute further on.
    static func passADay(_ cluster: LocalCluster) throws {
        let file = TransactionFixture.clockOffsetFile(cluster)
        let now = UInt64(String(decoding: try Data(contentsOf: file), as: UTF8.self)) ?? 0
        try Data(String(now + 86_400_000 + 60_000).utf8).write(to: file)
    }

    /// Sets the cluster's block time (every process reads the same offset) to `blockTime`, which
    /// is ahead of the real clock.
    static func setBlockTime(_ cluster: LocalCluster, to blockTime: UInt64) throws {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        try Data(String(blockTime - now).utf8).write(to: TransactionFixture.clockOffsetFile(cluster))
    }

    /// The quorum grants alice the admin role for one day; every node records the same lapse
    /// time and counts her approval two minutes before it; a minute after it, every node has
    /// taken the role away at the same block and refuses her next approval, with the same state.
    @Test func aGrantLapsesOnEveryNodeAtTheBlockTimeItRunsOut() async throws {
        try await withSharedCluster { cluster in
            let clock = TransactionFixture.clockOffsetArguments(cluster)
            try await TransactionFixture.govern(cluster, "alice-admin-1d", ["grant-role", "alice", "admin", "1"])
            let granted = try await cluster.waitForGovernance { g in g.users.first { $0.id == "alice" }?.roleExpiry["admin"] != nil }
            let expiries = Set(granted.values.compactMap { $0.governance?.users.first { $0.id == "alice" }?.roleExpiry["admin"] })
            #expect(expiries.count == 1, "every node records the same lapse time: \(expiries)")
            let lapse = try #require(expiries.first)

            // Two minutes before it runs out, her approval counts on every node.
            try Self.setBlockTime(cluster, to: lapse - 120_000)
            try await cluster.op(["propose", "--as", "erin", "--id", "add-walt", "add-user", "walt", "trader"])
            _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "add-walt" } }
            try await cluster.op(["approve", "--yes", "--as", "alice", "add-walt"] + clock)
            let counted = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-walt" }?.approvals == ["alice"] }
            for (node, status) in counted {
                #expect(status.governance?.users.first { $0.id == "alice" }?.roles.contains("admin") == true, "\(node)")
            }

            // A minute after it, the next block lapses it on every node.
            try Self.setBlockTime(cluster, to: lapse + 60_000)
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
                #expect(refusal.code == "notEligible" && refusal.blockTime >= lapse && refusal.blockTime < lapse + 600_000,
                        "\(node): \(refusal.code) at \(refusal.blockTime), lapse \(lapse)")
                #expect(g.operations.first { $0.id == "add-wendy" }?.approvals == [], "\(node)")
                #expect(status.stateDigests == reference.stateDigests, "\(node) lapsed the grant at another block")
            }
        }
    }

    /// The quorum opens a review of every grant due in a day, re-confirming the roles governance
    /// needs at once, and later re-confirms alice's trader role; when block time passes the
    /// deadline, every node lets every other grant lapse at the same block, with the same state.
    @Test func anAccessReviewLetsAnUnconfirmedGrantLapseOnEveryNode() async throws {
        try await withSharedCluster { cluster in
            let governing = ["erin:admin", "erin:security-officer", "frank:admin", "grace:admin", "heidi:security-officer", "laura:security-officer"]
            try await TransactionFixture.govern(cluster, "review-q4", ["open-access-review", "1", "0"] + governing)
            let opened = try await cluster.waitForGovernance { g in g.accessReview?.id == "review-q4" }
            let deadline = try #require(opened["node-1"]?.governance?.accessReview?.deadline)
            for (node, status) in opened {
                let review = try #require(status.governance?.accessReview, "\(node)")
                #expect(review.deadline == deadline && review.lapsed == nil, "\(node)")
                #expect(review.grants.contains("alice trader") && review.grants.contains("alice treasury-ops"), "\(node): \(review.grants)")
            }
            try await TransactionFixture.govern(cluster, "keep-alice-trader", ["confirm-access", "review-q4", "0", "alice:trader"])

            // A day and a minute later in block time, the next block closes the review on every node.
            try Self.passADay(cluster)
            try await cluster.op(["propose", "--as", "erin", "--id", "add-xavier", "add-user", "xavier", "trader"])
            let closed = try await cluster.waitForGovernance { g in g.accessReview?.lapsed != nil }
            let reference = try #require(closed["node-1"])
            for (node, status) in closed {
                let g = try #require(status.governance)
                let lapsed = try #require(g.accessReview?.lapsed)
                #expect(lapsed.contains("alice treasury-ops") && !lapsed.contains("alice trader") && !lapsed.contains("frank admin"), "\(node): \(lapsed)")
                #expect(g.users.first { $0.id == "alice" }?.roles == ["trader"], "\(node)")
                #expect(g.users.first { $0.id == "frank" }?.roles.contains("admin") == true, "\(node)")
                #expect(status.stateDigests == reference.stateDigests, "\(node) closed the review at another block")
            }
        }
    }
}
