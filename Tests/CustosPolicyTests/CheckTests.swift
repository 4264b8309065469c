import CustosCore
import CustosPolicy
import Foundation
import Testing

/// Static checks before a policy is accepted: references, lockouts, rules that never fire,
/// shadowed and redundant rules, unlimited allows.
@Suite struct CheckTests {
    func line(of needle: String, in text: String) -> Int {
        (text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(needle) } ?? -1) + 1
    }

    @Test(arguments: [
        ("match: {chain: [ethereem]}", "unknown chain 'ethereem'; did you mean 'ethereum'?"),
        ("match: {asset: [DOGE]}", "unknown asset 'DOGE'"),
        ("match: {vault: [warm]}", "unknown vault 'warm'"),
        ("match: {initiator: {users: [mallory]}}", "unknown user 'mallory'"),
        ("match: {destination: {tags: [exchnage]}}", "did you mean 'exchange'?"),
        ("match: {destination: {entries: [krakn]}}", "unknown address book entry 'krakn'"),
        ("match: {destination: {counterparties: [ftx]}}", "unknown counterparty 'ftx'"),
        ("match: {within: [weekly]}", "unknown limit 'weekly'"),
        ("match: {call: {targets: [nowhere]}}", "neither an address book entry"),
    ])
    func unknownReferencesArePositioned(match: String, message: String) throws {
        let text = Fixtures.yaml(rules: "  - name: r\n    \(match)\n    outcome: deny\n")
        let errors = Fixtures.errors(text)
        let d = try #require(errors.first)
        #expect(d.code == .unknownReference)
        #expect(d.message.contains(message), "\(d.message)")
        #expect(d.location.line == line(of: match, in: text))
    }

    /// A rule's role nobody holds is a warning naming the role meant, never an error: the
    /// policy in force is compiled again with the registries when a role's last holder leaves.
    @Test func aRuleRoleNobodyHoldsIsAWarning() throws {
        let text = Fixtures.yaml(rules: "  - name: r\n    match: {initiator: {roles: [wizard]}}\n    outcome: deny\n")
        let validation = PolicyValidation(yaml: text)
        #expect(Fixtures.errors(text).isEmpty, "\(Fixtures.errors(text))")
        #expect(validation.diagnostics.contains { $0.code == .unheldRole && $0.message.hasPrefix("rule 'r' names role 'wizard' that nobody holds") },
                "\(validation.diagnostics)")
    }

    @Test func unknownGroupInRequirement() throws {
        let text = Fixtures.yaml(rules: "  - name: r\n    outcome: {require: {group: ops, count: 1}}\n")
        let d = try #require(Fixtures.errors(text).first)
        #expect(d.code == .unknownReference)
        #expect(d.message.contains("unknown group 'ops'"))
    }

    @Test(arguments: [
        ("{group: risk, count: 3}", "group risk has 2 eligible people but 3 approvals are required"),
        ("{all: [{group: risk, count: 2}, {group: risk, count: 1}]}", "3 distinct approvers"),
        ("{all: [{group: risk, count: 2}, {group: treasury, count: 1}, {group: security, count: 1}, {group: admins, count: 3}]}", "distinct approvers"),
        ("{any: [{group: security, count: 2}, {group: risk, count: 3}]}", "group security has 1 eligible person"),
    ])
    func approvalGroupLockout(requirement: String, message: String) throws {
        let text = Fixtures.yaml(rules: """
              - name: gated
                match: {destination: {tags: [exchange]}}
                outcome: {require: \(requirement)}

            """)
        let d = try #require(Fixtures.errors(text).first)
        #expect(d.code == .lockout)
        #expect(d.message.contains(message), "\(d.message)")
        #expect(d.location.line == line(of: "name: gated", in: text))
    }

    @Test func satisfiableAnyIsNotALockout() {
        let text = Fixtures.yaml(rules: """
              - name: gated
                match: {destination: {tags: [exchange]}}
                outcome: {require: {any: [{group: security, count: 2}, {group: risk, count: 1}]}}

            """)
        #expect(Fixtures.errors(text).isEmpty)
    }

    @Test func groupsCountPeopleNotBots() throws {
        let text = Fixtures.yaml(rules: "  - name: r\n    outcome: deny\n").replacingFirst(
            "  security: {roles: [security]}", with: "  security: {users: [bot]}")
        let d = try #require(Fixtures.errors(text).first)
        #expect(d.message.contains("bots never approve"))
    }

    @Test(arguments: [
        // Quorum larger than the admins who are not the proposer.
        ("governance:\n  proposers: {roles: [admin]}\n  quorum: {group: admins, count: 3}\n  freeze: {roles: [security]}\n", "change_policy"),
        // Nobody may propose.
        ("governance:\n  proposers: {users: [bot]}\n  quorum: {group: admins, count: 1}\n  freeze: {roles: [security]}\n", "change_policy"),
        // Unfreeze can never be approved: erin alone proposes and is the only security officer.
        ("governance:\n  proposers: {users: [erin]}\n  quorum: {group: admins, count: 1}\n  freeze: {roles: [security]}\n  operations:\n    unfreeze: {group: security, count: 1}\n", "unfreeze"),
        // No governance at all.
        ("", "no governance section"),
    ])
    func governanceLockout(governance: String, message: String) throws {
        let text = Fixtures.yaml(rules: "  - name: r\n    match: {destination: {tags: [exchange]}}\n    outcome: allow\n", governance: governance)
        let errors = Fixtures.errors(text)
        #expect(errors.contains { $0.code == .governanceLockout && $0.message.contains(message) }, "\(errors)")
    }

    @Test func explicitDenyOnPolicyChangesIsALockout() {
        let text = Fixtures.yaml(rules: """
              - name: no-more-changes
                match: {operation: [change_policy]}
                outcome: deny

            """)
        let errors = Fixtures.errors(text)
        #expect(errors.contains { $0.code == .governanceLockout && $0.message.contains("change_policy") })
    }

    @Test(arguments: [
        ("match: {amount: {over: 10, under: 5}}", "range is empty"),
        ("match: {amount_usd: {over: 5, up_to: 5}}", "range is empty"),
        ("match: {chain: [bitcoin], asset: [USDC]}", "none of its assets exists on any of its chains"),
        ("match: {chain: [bitcoin], destination: {entries: [kraken]}}", "none of its destinations is on one of its chains"),
        ("match: {initiator: {roles: [risk], kind: bot}}", "no user or bot can be its initiator"),
        ("match: {during: {zone: UTC, days: []}}", "no days"),
        ("match: {outside: {zone: UTC}}", "whole week"),
        ("when: false && request.amount > 1", "always false"),
    ])
    func neverFires(clause: String, message: String) throws {
        let text = Fixtures.yaml(rules: "  - name: dead\n    \(clause)\n    outcome: deny\n")
        #expect(Fixtures.errors(text).isEmpty)
        let w = try #require(Fixtures.warnings(text).first { $0.code == .neverFires })
        #expect(w.message.contains(message), "\(w.message)")
        #expect(w.location.line == line(of: "name: dead", in: text))
    }

    @Test func shadowedByDeny() throws {
        let text = Fixtures.yaml(rules: """
              - name: deny-exchanges
                match: {destination: {tags: [exchange]}}
                outcome: deny
              - name: allow-kraken-small
                match: {destination: {entries: [kraken]}, amount: {up_to: 100}}
                outcome: allow
              - name: allow-cold
                match: {destination: {entries: [cold-wallet]}, amount: {up_to: 100}}
                outcome: allow

            """)
        let warnings = Fixtures.warnings(text)
        let w = try #require(warnings.first { $0.code == .shadowed })
        #expect(w.message.contains("'allow-kraken-small'") && w.message.contains("'deny-exchanges'"))
        #expect(!warnings.contains { $0.message.contains("'allow-cold'") && $0.code == .shadowed })
    }

    @Test func conditionalDenyDoesNotShadow() {
        let text = Fixtures.yaml(rules: """
              - name: deny-exchanges-sometimes
                match: {destination: {tags: [exchange]}}
                when: request.memo == 'stop'
                outcome: deny
              - name: allow-kraken
                match: {destination: {entries: [kraken]}, amount: {up_to: 100}}
                outcome: allow

            """)
        #expect(!Fixtures.warnings(text).contains { $0.code == .shadowed })
    }

    @Test func redundantAllow() throws {
        let text = Fixtures.yaml(rules: """
              - name: allow-exchanges
                match: {destination: {tags: [exchange]}, amount: {up_to: 1000}}
                outcome: allow
              - name: allow-kraken
                match: {destination: {entries: [kraken]}, amount: {over: 1, up_to: 100}}
                outcome: allow

            """)
        let w = try #require(Fixtures.warnings(text).first { $0.code == .redundant })
        #expect(w.message.contains("'allow-kraken'"))
    }

    @Test(arguments: [
        ("match: {initiator: {roles: [treasury]}}", true),
        ("match: {destination: {known: false}}", true),
        ("match: {destination: {known: false}, amount_usd: {up_to: 1000}}", false),
        ("match: {within: [exchange-daily]}", false),
        ("match: {destination: {tags: [exchange]}}", false),
    ])
    func unlimitedAllowWarning(clause: String, warns: Bool) {
        let text = Fixtures.yaml(rules: "  - name: open\n    \(clause)\n    outcome: allow\n")
        #expect(Fixtures.errors(text).isEmpty)
        #expect(Fixtures.warnings(text).contains { $0.code == .unlimitedAllow } == warns)
    }

    @Test func diagnosticsFormatAsFileLineColumn() throws {
        let text = Fixtures.yaml(rules: "  - name: r\n    match: {chain: [solana]}\n    outcome: deny\n")
        let d = try #require(Fixtures.errors(text).first)
        let formatted = d.formatted(file: "p.yaml")
        #expect(formatted.hasPrefix("p.yaml:\(d.location.line):\(d.location.column): error: "))
        #expect(!formatted.contains("\n"))
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}

@Suite struct GovernanceTimeTests {
    @Test func businessHoursOnlyPolicyChangesAreNotALockout() {
        let text = Fixtures.yaml(rules: """
              - name: policy-changes-in-office-hours
                match: {operation: [change_policy]}
                when: time.hour < 9 || time.hour >= 17
                outcome: deny

            """)
        #expect(Fixtures.errors(text).isEmpty)
    }

    @Test func extremeTimesNeverTrap() throws {
        let policy = try Fixtures.policy(rules: """
              - name: r
                match: {during: {zone: '+14:00', days: [mon]}, within: [bot-hourly]}
                outcome: allow

            """)
        for time in [Int64.max, Int64.min, 0] {
            var state = Fixtures.state(time: time)
            state.windows["bot-hourly", "alice"] = .init(usd: .zero, count: .max)
            _ = policy.evaluate(Fixtures.transfer(), in: state)
            _ = policy.explain(Fixtures.transfer(), in: state)
            _ = policy.windowTotals(history: [PastTransfer(time: time, request: Fixtures.transfer(), usd: .zero)], at: time)
        }
    }
}

@Suite struct InitiatorExclusionTests {
    @Test func warnsWhenAnInitiatorWouldExhaustTheGroup() throws {
        // security = {erin}: when erin initiates, nobody else can give the security approval.
        let text = Fixtures.yaml(rules: """
              - name: allow-exchange
                match: {destination: {tags: [exchange]}}
                outcome: allow
              - name: security-review
                match: {destination: {tags: [exchange]}}
                outcome: {require: {group: security, count: 1}}

            """)
        #expect(Fixtures.errors(text).isEmpty)
        let w = try #require(Fixtures.warnings(text).first { $0.code == .unreachableCount })
        #expect(w.message.contains("initiated by erin"))
        #expect(!w.message.contains("alice"))
    }

    @Test func callClauseOnTransfersNeverFires() throws {
        let text = Fixtures.yaml(rules: "  - name: dead\n    match: {kind: [transfer], call: {functions: [approve]}}\n    outcome: deny\n")
        #expect(Fixtures.warnings(text).contains { $0.code == .neverFires && $0.message.contains("call clause") })
    }
}
