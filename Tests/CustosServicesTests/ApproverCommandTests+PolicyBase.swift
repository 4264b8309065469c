import CustosClusterAPI
import CustosCore
import CustosState
import CustosTestSupport
import Foundation
import Testing

extension ApproverCommandTests {
    /// Would have caught an approver's command that shows a policy change's differences from
    /// whatever the gateway calls the policy in force (issue #13 item 6): a gateway that serves
    /// the new document itself as "in force" shows no difference at all. The change names the
    /// digest of the document it replaces, which every node requires to be the policy in force,
    /// and the command checks what the gateway serves against it before it signs anything.
    @Test func aPolicyChangeIsReviewedAgainstTheDocumentItNamesNotTheGatewaysWord() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }
        let example = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        let next = example.replacingOccurrences(of: "\nversion: 14\n", with: "\nversion: 15\n")
            .replacingOccurrences(of: "\nrules:\n", with: "\nrules:\n  - name: lying-gateway-hides-me\n    match: {kind: [transfer], amount_usd: {over: 1}}\n    outcome: deny\n\n")
        #expect(next != example)
        let file = cluster.root.appendingPathComponent("policy-v15.yaml")
        try next.write(to: file, atomically: true, encoding: .utf8)
        try await cluster.op(["propose", "--as", "erin", "--id", "policy-15", "change-policy", file.path])
        _ = try await cluster.waitForGovernance { g in g.operations.count == 1 }
        let proposal = try await cluster.proposal("policy-15")
        let inForce = ReplicatedState.policyDigest(of: example)
        guard case .changePolicy(_, let replaces) = proposal.change else { Issue.record("\(proposal.change)"); return }
        #expect(replaces == inForce, "the proposer's command did not name the policy in force")

        let served = ReplicatedState.policyDigest(of: next)
        let lie = LyingGateway.json(at: "/v1/policies/current") { v in
            guard var view = v as? [String: Any] else { return }
            view["yaml"] = next
            v = view
        }
        // An approval needs the differences, so it is refused; a rejection needs none (it would
        // only warn), so it is not tried here: it would end the operation.
        try await LyingGateway.with(upstream: cluster.baseURL, alter: lie) { gateway, forwarded in
            let out = try await Self.op(cluster, "approve", gateway: gateway, as: "frank", ["--yes", "policy-15"])
            #expect(out.status == 1, "\(out.stdout)")
            Self.expectOneLine(out.stderr, startingWith: "custos: operation policy-15 replaces the policy with digest \(inForce.hexString), "
                               + "but the gateway serves one with digest \(served.hexString) as the policy in force: refusing to sign", "approve")
            #expect(!out.stdout.contains("lying-gateway-hides-me"), "\(out.stdout)")
            let writes = await forwarded.writes
            #expect(writes.isEmpty, "sent \(writes)")
        }
        // Through the honest gateway the differences are shown as checked, the new rule among them.
        let out = try await Self.op(cluster, "approve", gateway: cluster.baseURL, as: "frank", ["--yes", "policy-15"])
        #expect(out.status == 0, "\(out.stderr)")
        let shown = out.stdout + out.stderr
        #expect(shown.contains("replaces     the policy with digest \(inForce.hexString) (checked"), "\(shown)")
        #expect(shown.contains("lying-gateway-hides-me"), "\(shown)")
        passed = true
    }
}
