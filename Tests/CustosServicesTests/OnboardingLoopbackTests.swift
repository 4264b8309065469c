import CustosClusterAPI
import CustosCore
import CustosPolicy
import CustosTestSupport
import Foundation
import Testing

/// Onboarding steps through the real processes (issue 14 item 2): a gateway and four signer
/// nodes on loopback, with the example policy. The quorum adds a security-training step (not
/// enforced yet), security officers attest the people who govern, a later version enforces it,
/// and alice is made an admin without it: every node refuses his approval, saying what she misses,
/// and `custos access matrix` shows him as not onboarded. Once a security officer's attestation
/// is recorded, every node counts her approval.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct OnboardingLoopbackTests {
    /// The example policy at `version` with an onboarding section.
    static func policy(_ cluster: LocalCluster, version: Int, enforced: Bool) throws -> String {
        let example = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        let file = cluster.root.appendingPathComponent("policy-\(version).yaml")
        try (example.replacingOccurrences(of: "\nversion: 14\n", with: "\nversion: \(version)\n") + """

            onboarding:
              security_training: {kind: attestation, attested_by: security-officer, enforced: \(enforced)}

            """).write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// `proposer` proposes `change` as operation `id`, `approvers` approve, and every node executes it.
    static func govern(_ cluster: LocalCluster, _ id: String, by proposer: String, _ change: [String], approvers: [String]) async throws {
        try await cluster.op(["propose", "--as", proposer, "--id", id] + change)
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == id } }
        for approver in approvers { try await cluster.op(["approve", "--yes", "--as", approver, id]) }
        let statuses = try await cluster.waitForGovernance { g in g.operations.first { $0.id == id }?.status != "proposed" }
        for (node, status) in statuses {
            let op = status.governance?.operations.first { $0.id == id }
            #expect(op?.status == "executed", "\(node) \(id): \(String(describing: op))")
        }
    }

    @Test func aPersonWhoseOnboardingIsMissingCannotApproveUntilItIsAttested() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        // An honest gateway turns away an ineligible approval itself; this one queues it
        // unchecked, so that the nodes' own checks are what is tried.
        try await cluster.startGateway(extraArguments: ["--unsafe-test-queue-unchecked"])
        for id in cluster.nodeIDs { try cluster.startNode(id) }

        // The step, recorded but not enforced; the people who govern complete it; then it is enforced.
        let change = ["change-policy"]
        try await Self.govern(cluster, "policy-15", by: "erin", change + [try Self.policy(cluster, version: 15, enforced: false)],
                              approvers: ["frank", "grace", "heidi"])
        for (person, attester, approvers) in [("erin", "heidi", ["frank", "grace"]), ("frank", "heidi", ["grace", "erin"]),
                                              ("grace", "heidi", ["frank", "erin"]), ("heidi", "laura", ["frank", "grace"]),
                                              ("laura", "heidi", ["frank", "grace"])] {
            try await Self.govern(cluster, "train-\(person)", by: attester, ["attest-onboarding", person, "security_training"], approvers: approvers)
        }
        try await Self.govern(cluster, "policy-16", by: "erin", change + [try Self.policy(cluster, version: 16, enforced: true)],
                              approvers: ["frank", "grace", "heidi"])
        try await Self.govern(cluster, "alice-admin", by: "erin", ["assign-role", "alice", "admin"], approvers: ["frank", "grace"])

        // alice holds admin but has not completed onboarding: every node says so and counts him nowhere.
        let matrix = try await LocalCluster.run(cluster.binary, ["access", "matrix", "--gateway", cluster.baseURL])
        let aliceRow = try #require(matrix.split(separator: "\n").first { $0.hasPrefix("| alice |") }, "\(matrix)")
        #expect(aliceRow.contains("person, not onboarded (missing security_training)"), "\(aliceRow)")
        let users = try await cluster.waitForGovernance { g in g.users.first { $0.id == "alice" }?.roles.contains("admin") == true }
        for (node, status) in users {
            let alice = try #require(status.governance?.users.first { $0.id == "alice" }, "\(node)")
            #expect(alice.missingOnboarding == ["security_training"], "\(node)")
            #expect(status.governance?.users.first { $0.id == "frank" }?.missingOnboarding == [], "\(node)")
        }

        try await cluster.op(["propose", "--as", "erin", "--id", "add-walt", "add-user", "walt", "trader"])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "add-walt" } }
        try await cluster.op(["approve", "--yes", "--as", "alice", "add-walt"])
        let refused = try await cluster.waitForGovernance { g in g.refusals.contains { $0.user == "alice" && $0.operationId == "add-walt" } }
        let reference = try #require(refused["node-1"])
        for (node, status) in refused {
            let g = try #require(status.governance)
            let refusal = try #require(g.refusals.first { $0.user == "alice" && $0.operationId == "add-walt" })
            #expect(refusal.code == "notEligible", "\(node)")
            #expect(refusal.reason.contains("alice has not completed onboarding: missing security_training"), "\(node): \(refusal.reason)")
            #expect(g.operations.first { $0.id == "add-walt" }?.approvals == [], "\(node)")
            #expect(status.stateDigests == reference.stateDigests, "\(node) decided differently")
        }

        // laura, a security officer, attests her training; the quorum records it; her approval counts.
        try await Self.govern(cluster, "train-alice", by: "laura", ["attest-onboarding", "alice", "security_training"], approvers: ["frank", "grace"])
        try await cluster.op(["approve", "--yes", "--as", "alice", "add-walt"])
        let counted = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-walt" }?.approvals == ["alice"] }
        for (node, status) in counted {
            #expect(status.governance?.users.first { $0.id == "alice" }?.missingOnboarding == [], "\(node)")
        }
        let after = try await LocalCluster.run(cluster.binary, ["access", "matrix", "--gateway", cluster.baseURL])
        #expect(after.split(separator: "\n").first { $0.hasPrefix("| alice |") }?.contains("not onboarded") == false, "\(after)")
        passed = true
    }
}
