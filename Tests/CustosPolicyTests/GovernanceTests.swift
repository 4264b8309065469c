import CustosCore
import CustosPolicy
import Testing

/// The governance policy: proposers, the admin quorum, per-operation requirements, freeze by
/// any security officer alone, unfreeze only with the quorum.
@Suite struct GovernanceTests {
    static let policy = try! CompiledPolicy(yaml: Fixtures.examplePolicyText())

    static func op(_ action: GovernanceOperation.Action, by initiator: String, target: String = "x", approvals: [String] = []) -> PolicyRequest {
        PolicyRequest(id: "g", kind: .governance, initiator: initiator, operation: .init(action, target: target), approvals: approvals)
    }

    @Test(arguments: [
        // Any security officer may freeze alone.
        (GovernanceOperation.Action.freeze, "heidi", [String](), PolicyDecision.Outcome.allow),
        (.freeze, "erin", [], .allow),
        // An admin who is not a security officer needs the quorum to freeze.
        (.freeze, "frank", [], .needsApprovals),
        (.freeze, "frank", ["grace", "erin"], .allow),
        // Not a proposer, not a security officer: nothing allows it.
        (.freeze, "alice", [], .deny),
        (.freeze, "risk-bot", [], .deny),
        // Unfreeze needs 2 admins and a security officer, other than the proposer.
        (.unfreeze, "heidi", [], .needsApprovals),
        (.unfreeze, "heidi", ["frank"], .needsApprovals),
        (.unfreeze, "heidi", ["frank", "grace"], .needsApprovals),  // no officer but the proposer approved
        (.unfreeze, "heidi", ["frank", "grace", "erin"], .allow),
        (.unfreeze, "erin", ["frank", "grace"], .needsApprovals),
        (.unfreeze, "erin", ["frank", "grace", "heidi"], .allow),
        (.unfreeze, "alice", ["frank", "grace", "heidi"], .deny),
        // Ordinary operations: the admin quorum (2 admins other than the proposer).
        (.addUser, "frank", ["grace"], .needsApprovals),
        (.addUser, "frank", ["grace", "erin"], .allow),
        (.addUser, "bob", ["grace", "erin", "frank"], .deny),
        // Policy changes also need a security officer.
        (.changePolicy, "frank", ["grace", "erin"], .needsApprovals),
        (.changePolicy, "frank", ["grace", "erin", "heidi"], .allow),
        // Address book changes also need compliance.
        (.changeAddressBook, "frank", ["grace", "erin"], .allow),  // grace is admin + compliance
        (.changeAddressBook, "erin", ["frank", "heidi"], .needsApprovals),
        (.changeAddressBook, "erin", ["frank", "heidi", "judy"], .needsApprovals),
        (.changeAddressBook, "erin", ["frank", "grace", "judy"], .allow),
        // Bots are registered, removed and re-keyed by the admin quorum.
        (.addBot, "frank", ["grace"], .needsApprovals),
        (.addBot, "frank", ["grace", "erin"], .allow),
        (.removeBot, "heidi", ["frank", "grace"], .allow),
        (.rotateBotKey, "erin", ["frank"], .needsApprovals),
        (.rotateBotKey, "erin", ["frank", "grace"], .allow),
        (.addBot, "alice", ["frank", "grace", "erin"], .deny),
        // Bots never govern.
        (.changePolicy, "rebalancer", ["frank", "grace", "erin", "heidi"], .deny),
        (.rotateBotKey, "risk-bot", ["frank", "grace", "erin", "heidi"], .deny),
    ])
    func decides(action: GovernanceOperation.Action, initiator: String, approvals: [String], outcome: PolicyDecision.Outcome) {
        let decision = Self.policy.evaluate(Self.op(action, by: initiator, approvals: approvals), in: StateSnapshot(time: 0))
        #expect(decision.outcome == outcome, "\(action) by \(initiator) with \(approvals): \(decision.reason) \(decision.pending)")
    }

    @Test func nobodyGrantsThemselvesARole() {
        let decision = Self.policy.evaluate(
            Self.op(.assignRole, by: "frank", target: "frank", approvals: ["grace", "erin"]), in: StateSnapshot(time: 0))
        #expect(decision.outcome == .deny)
        #expect(decision.reason == .deniedByRule("deny-self-role-grant"))
    }

    @Test func freezeWorksWhileFrozenAndUnfreezeIsDecided() {
        let frozen = StateSnapshot(time: 0, frozen: true)
        #expect(Self.policy.evaluate(Self.op(.freeze, by: "heidi"), in: frozen).outcome == .allow)
        #expect(Self.policy.evaluate(Self.op(.unfreeze, by: "heidi", approvals: ["frank", "grace", "erin"]), in: frozen).outcome == .allow)
        // ... while transfers are refused.
        let transfer = PolicyRequest(initiator: "risk-bot", vault: "hot-trading", chain: "ethereum", asset: "USDC",
                                     amount: FixedDecimal(1)!, destination: "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f")
        #expect(Self.policy.evaluate(transfer, in: frozen).reason == .frozen)
    }

    @Test func botOperationsTakeOverridesAndRules() throws {
        let policy = try Fixtures.policy(
            rules: """
              - name: risk-reviews-bot-keys
                match: {operation: [add_bot, rotate_bot_key]}
                outcome: {require: {group: risk, count: 1}}

            """,
            governance: Fixtures.governance + "  operations:\n    remove_bot: {group: admins, count: 1}\n")
        func decide(_ action: GovernanceOperation.Action, _ approvals: [String]) -> PolicyDecision.Outcome {
            policy.evaluate(Self.op(action, by: "erin", target: "bot", approvals: approvals), in: StateSnapshot(time: 0)).outcome
        }
        #expect(decide(.addBot, ["frank", "grace"]) == .needsApprovals)
        #expect(decide(.addBot, ["frank", "grace", "dan"]) == .allow)
        #expect(decide(.rotateBotKey, ["frank", "grace"]) == .needsApprovals)
        // Removing a bot only needs one admin here: the override, and no risk review.
        #expect(decide(.removeBot, ["frank"]) == .allow)
        #expect(decide(.removeBot, []) == .needsApprovals)
    }

    @Test func transferRulesNeverDecideGovernanceAndViceVersa() throws {
        let policy = try Fixtures.policy(rules: """
              - name: allow-anything-to-exchanges
                match: {destination: {tags: [exchange]}}
                outcome: allow

            """)
        // A governance request from a non-proposer is not rescued by transfer rules.
        let decision = policy.evaluate(Self.op(.addUser, by: "alice", approvals: ["frank", "grace"]), in: StateSnapshot(time: 0))
        #expect(decision.outcome == .deny)
    }
}
