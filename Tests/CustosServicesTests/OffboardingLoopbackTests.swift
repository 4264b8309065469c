import CustosClusterAPI
import CustosCore
import CustosPolicy
import CustosState
import CustosTestSupport
import Foundation
import NIOHTTP1
import Testing

/// One-step offboarding through the real processes (issue 14 item 4): heidi, a security officer
/// of the example policy, registered a bot and has an operation open; one `offboard-user`
/// operation later every node refuses her approval, her operation is withdrawn, her bot's key is
/// due in `custos inventory`, and `custos user exit-report` lists exactly what she had.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(5)))
struct OffboardingLoopbackTests {
    @Test func offboardingInOneOperationLeavesThePersonUnableToActAndReportsWhatTheyHad() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        // An honest gateway turns away an inactive person's approval itself; this one queues it
        // unchecked, so that the nodes' own checks are what is tried.
        try await cluster.startGateway(extraArguments: ["--unsafe-test-queue-unchecked"])
        for id in cluster.nodeIDs { try cluster.startNode(id) }

        // heidi proposes a bot (frank and grace approve: she administered it) and a new person,
        // left open; erin proposes a policy change that asks a security officer's approval.
        let policy = cluster.root.appendingPathComponent("policy-15.yaml")
        let example = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        try example.replacingOccurrences(of: "\nversion: 14\n", with: "\nversion: 15\n").write(to: policy, atomically: true, encoding: .utf8)
        // alice becomes a security officer first: without a second officer who is not an admin,
        // heidi's offboarding would be refused as a lockout (erin alone could block a policy change).
        try await cluster.op(["propose", "--as", "erin", "--id", "alice-officer", "assign-role", "alice", "security-officer"])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "alice-officer" } }
        for approver in ["frank", "grace"] { try await cluster.op(["approve", "--yes", "--as", approver, "alice-officer"]) }
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "alice-officer" }?.status == "executed" }
        try await cluster.op(["propose", "--as", "heidi", "--id", "add-heidi-bot", "add-bot", "heidi-bot", "risk-bot"])
        try await cluster.op(["propose", "--as", "heidi", "--id", "heidi-pending", "add-user", "walt", "trader"])
        try await cluster.op(["propose", "--as", "erin", "--id", "policy-15", "change-policy", policy.path])
        _ = try await cluster.waitForGovernance { g in g.operations.count == 4 }
        for approver in ["frank", "grace"] { try await cluster.op(["approve", "--yes", "--as", approver, "add-heidi-bot"]) }
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-heidi-bot" }?.status == "executed" }

        // One operation offboards her, with a 30-day monitoring window.
        try await cluster.op(["propose", "--as", "erin", "--id", "offboard-heidi", "--monitor-days", "30", "offboard-user", "heidi"])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "offboard-heidi" } }
        for approver in ["frank", "grace"] { try await cluster.op(["approve", "--yes", "--as", approver, "offboard-heidi"]) }
        _ = try await cluster.waitForGovernance { g in
            g.operations.first { $0.id == "offboard-heidi" }?.status == "executed" && g.users.first { $0.id == "heidi" }?.active == false
        }

        // Her approval of the policy change is refused by every node; her open operation was withdrawn.
        try await cluster.op(["approve", "--yes", "--as", "heidi", "policy-15"])
        let statuses = try await cluster.waitForGovernance { g in
            g.refusals.contains { $0.code == "inactiveUser" && $0.user == "heidi" && $0.operationId == "policy-15" }
        }
        let reference = try #require(statuses["node-1"])
        for (id, status) in statuses {
            let g = try #require(status.governance)
            #expect(g.operations.first { $0.id == "policy-15" }?.approvals.contains("heidi") == false, "\(id)")
            #expect(g.operations.first { $0.id == "heidi-pending" }?.status == "rejected", "\(id)")
            #expect(g.operations.first { $0.id == "heidi-pending" }?.rejectedBy == "heidi", "\(id)")
            #expect(g.users.first { $0.id == "heidi" }.map { $0.roles.isEmpty && $0.credentials.isEmpty } == true, "\(id)")
            #expect(status.stateDigests == reference.stateDigests, "\(id) applied the offboarding differently")
        }

        // Her bot's key is due now in the inventory.
        let table = try await LocalCluster.run(cluster.binary, ["inventory", "--gateway", cluster.baseURL])
        let botLine = try #require(table.split(separator: "\n").first { $0.hasPrefix("bot ") && $0.contains("heidi-bot") })
        #expect(botLine.contains("OVERDUE") && botLine.contains("due-by-offboarding=heidi"), "\(botLine)")
        let inventory = try JSONDecoder().decode(
            KeyInventory.self, from: Data(try await LocalCluster.run(cluster.binary, ["inventory", "--gateway", cluster.baseURL, "--json"]).utf8))
        #expect(inventory.overdue.map(\.owner) == ["heidi-bot"])
        #expect(!inventory.keys.contains { $0.kind == .credential && $0.owner == "heidi" })

        // The exit report lists exactly what she had, in the CLI and the API alike.
        let json = try await LocalCluster.run(cluster.binary, ["user", "exit-report", "--gateway", cluster.baseURL, "--json", "heidi"])
        let report = try JSONDecoder().decode(ExitReport.self, from: Data(json.utf8))
        let o = report.offboarding
        #expect(o.operationId == "offboard-heidi")
        #expect(o.roles == ["security-officer"])
        #expect(o.credentials.count == 1)
        #expect(o.access.contains { $0.key == "governance:freeze" })
        #expect(o.access.contains { $0.key == "governance:change_policy" })
        #expect(o.administeredBots == ["heidi-bot"] && o.botsDue == ["heidi-bot"])
        #expect(o.withdrawnOperations == ["heidi-pending"])
        #expect(o.monitorUntil == o.at + 30 * 86_400_000)
        #expect(report.operations.map(\.id) == ["add-heidi-bot", "heidi-pending"])
        #expect(report.operationDecisions.isEmpty && report.requests.isEmpty && report.requestDecisions.isEmpty)
        let fromAPI: ExitReport = try await cluster.getJSON("/v1/users/heidi/exit-report")
        #expect(fromAPI == report)
        #expect(try await cluster.get("/v1/users/frank/exit-report").status == .notFound)
        let text = try await LocalCluster.run(cluster.binary, ["user", "exit-report", "--gateway", cluster.baseURL, "heidi"])
        #expect(text.contains("exit report of heidi: offboarded by operation offboard-heidi"), "\(text)")
        #expect(text.contains("keys due now:       heidi-bot"), "\(text)")
        passed = true
    }
}
