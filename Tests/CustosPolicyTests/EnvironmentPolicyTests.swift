import CustosCore
import CustosPolicy
import Foundation
import Testing

/// Environments in the policy engine (issue 14 item 5): a bot of another environment than the
/// request's vault, or a person none of whose roles acts there, is denied before any rule is
/// read; a role scoped to other environments neither makes its holder an approver there nor
/// lets a person named in a group approve there. A vault the state does not know carries no
/// environment and is not checked.
@Suite struct EnvironmentPolicyTests {
    static let yaml = """
        policy: environments
        version: 1
        assets:
          ETH: {chains: [ethereum]}
        vaults: [hot, lab]
        principals:
          alice: {kind: person, roles: [trader]}
          bob: {kind: person, roles: [desk]}
          dora: {kind: person, roles: []}
          carol: {kind: person, roles: [desk, ops]}
          ci-bot: {kind: bot, roles: [trading-bot], environment: staging}
          legacy-bot: {kind: bot, roles: [trading-bot]}
          erin: {kind: person, roles: [admin]}
          frank: {kind: person, roles: [admin]}
          grace: {kind: person, roles: [admin]}
          heidi: {kind: person, roles: [admin]}
        roles:
          desk: {environments: [staging]}
        groups:
          desks: {roles: [desk]}
          named: {users: [bob, dora]}
          admins: {roles: [admin]}
        governance:
          proposers: {roles: [admin]}
          quorum: {group: admins, count: 2}
          freeze: {roles: [admin]}
        rules:
          - name: transfers
            match: {kind: [transfer]}
            outcome: allow
          - name: a-desk-approves
            match: {kind: [transfer]}
            outcome: {require: {group: desks, count: 1}}

        """

    static func request(_ initiator: String, _ vault: String, approvals: [String] = []) -> PolicyRequest {
        PolicyRequest(kind: .transfer, initiator: initiator, vault: vault, chain: "ethereum", asset: "ETH", amount: FixedDecimal(1)!,
                      destination: "0x1111111111111111111111111111111111111111", approvals: approvals)
    }

    /// `hot` is production, `lab` staging.
    static var state: StateSnapshot {
        var s = StateSnapshot(time: 1_800_000_000, prices: ["ETH": FixedDecimal(3000)!])
        s.vaultEnvironments = ["hot": .production, "lab": .staging]
        return s
    }

    @Test func aBotOfAnotherEnvironmentIsDeniedWithBothNamed() throws {
        let policy = try CompiledPolicy(yaml: Self.yaml)
        let denied = policy.evaluate(Self.request("ci-bot", "hot"), in: Self.state)
        #expect(denied.outcome == .deny)
        #expect(denied.reason == .outsideEnvironment(EnvironmentMismatch(
            initiator: "ci-bot", kind: .bot, initiatorEnvironments: [.staging], vault: "hot", vaultEnvironment: .production)))
        #expect(denied.applied.isEmpty)
        let text = policy.explain(Self.request("ci-bot", "hot"), in: Self.state).text
        #expect(text.hasPrefix("DENY: bot ci-bot is a staging bot; vault hot is a production vault, and environments never mix"))
        #expect(policy.evaluate(Self.request("ci-bot", "lab", approvals: ["bob"]), in: Self.state).outcome == .allow)
        // A bot that names no environment is a development bot.
        #expect(policy.environments(of: "legacy-bot") == [.development])
        #expect(policy.evaluate(Self.request("legacy-bot", "lab", approvals: ["bob"]), in: Self.state).outcome == .deny)
        // A vault the state does not know (the policy's alone) is not checked.
        #expect(policy.evaluate(Self.request("ci-bot", "hot", approvals: ["bob"]), in: StateSnapshot(time: 1_800_000_000)).outcome == .allow)
    }

    @Test func aPersonWhoseRolesActElsewhereNeitherInitiatesNorApprovesThere() throws {
        let policy = try CompiledPolicy(yaml: Self.yaml)
        let bob = policy.evaluate(Self.request("bob", "hot"), in: Self.state)
        guard case .outsideEnvironment(let mismatch) = bob.reason else {
            Issue.record("bob on a production vault: \(bob.reason)")
            return
        }
        #expect(mismatch.text == "bob's roles act in staging only; vault hot is a production vault, and environments never mix")
        // alice's trader role acts everywhere; bob's and carol's desk role only in staging, so
        // neither fills the desks group for a production vault — not even carol, whose other
        // role acts in production.
        for approvers in [["bob"], ["carol"], ["bob", "carol"]] {
            let decision = policy.evaluate(Self.request("alice", "hot", approvals: approvers), in: Self.state)
            #expect(decision.outcome == .needsApprovals, "\(approvers)")
        }
        #expect(policy.evaluate(Self.request("alice", "lab", approvals: ["carol"]), in: Self.state).outcome == .allow)
        #expect(policy.members(ofGroup: "desks", in: .production) == [])
        #expect(policy.members(ofGroup: "desks", in: .staging) == ["bob", "carol"])
        #expect(policy.members(ofGroup: "named", in: .production) == [])
        #expect(policy.members(ofGroup: "named", in: .staging) == ["bob"])
        // dora, named but holding no role (a last role revoked, a grant lapsed), acts nowhere
        // under a policy that scopes roles: losing access never widens it (review helper-107 H1).
        #expect(policy.environments(of: "dora").isEmpty)
        #expect(policy.evaluate(Self.request("dora", "hot"), in: Self.state).outcome == .deny)
        #expect(policy.members(ofGroup: "desks", in: nil) == ["bob", "carol"])
        let text = policy.explain(Self.request("alice", "hot", approvals: ["bob"]), in: Self.state).text
        #expect(text.contains("1 more approval from group desks (members: )"), "\(text)")
        let decision = policy.evaluate(Self.request("alice", "hot"), in: Self.state)
        #expect(decision.pending.map(\.group) == ["desks"])
        #expect(policy.unmetApprovals(decision, approvers: ["carol"], initiator: "alice", in: .production).count == 1)
        #expect(policy.unmetApprovals(decision, approvers: ["carol"], initiator: "alice", in: .staging).isEmpty)
    }

    @Test(arguments: [
        ("roles:\n  desk: {environments: [prod]}\n", "environment 'prod' of role 'desk' is none of production, staging or development"),
        ("roles:\n  desk: {environments: []}\n", "role 'desk' acts in no environment"),
        ("roles:\n  desk: {}\n", "environments"),
    ])
    func aBadRolesSectionIsRefusedNamingWhatIsWrong(_ section: String, _ message: String) throws {
        let yaml = Self.yaml.replacingOccurrences(of: "roles:\n  desk: {environments: [staging]}\n", with: section)
        let error = #expect(throws: PolicyLoadError.self) { try PolicyDocument.decode(yaml: yaml) }
        #expect(error?.errors.contains { $0.message.contains(message) } == true, "\(String(describing: error))")
    }

    @Test func onlyABotNamesAnEnvironment() throws {
        let person = Self.yaml.replacingOccurrences(of: "alice: {kind: person, roles: [trader]}", with: "alice: {kind: person, roles: [trader], environment: staging}")
        let error = #expect(throws: PolicyLoadError.self) { try PolicyDocument.decode(yaml: person) }
        #expect(error?.errors.contains { $0.message.contains("principal 'alice' is a person") } == true)
        let unknown = Self.yaml.replacingOccurrences(of: "environment: staging}", with: "environment: qa}")
        let bad = #expect(throws: PolicyLoadError.self) { try PolicyDocument.decode(yaml: unknown) }
        #expect(bad?.errors.contains { $0.message.contains("environment must be one of production, staging or development") } == true)
    }
}
