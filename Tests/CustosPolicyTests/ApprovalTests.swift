import CustosCore
import CustosPolicy
import Testing

/// Approval counting: groups with counts, all/any, the initiator never counts, bots never
/// count, each person counts once.
@Suite struct ApprovalTests {
    static func policy(_ requirement: String) throws -> CompiledPolicy {
        try Fixtures.policy(rules: """
              - name: allow-exchange
                match: {destination: {tags: [exchange]}}
                outcome: allow
              - name: gate
                match: {destination: {tags: [exchange]}}
                outcome: {require: \(requirement)}

            """)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let requirement: String
        let initiator: String
        let approvals: [String]
        let approved: Bool
        var testDescription: String { "\(requirement) by \(initiator) approved by \(approvals) → \(approved)" }
    }

    static let cases: [Case] = [
        // 4-eyes: one other person from treasury.
        Case(requirement: "{group: treasury, count: 1}", initiator: "alice", approvals: ["bob"], approved: true),
        Case(requirement: "{group: treasury, count: 1}", initiator: "alice", approvals: [], approved: false),
        // The initiator's own approval never counts.
        Case(requirement: "{group: treasury, count: 1}", initiator: "alice", approvals: ["alice"], approved: false),
        // Someone outside the group does not count.
        Case(requirement: "{group: treasury, count: 1}", initiator: "alice", approvals: ["dan"], approved: false),
        // Bots never count, unknown names never count.
        Case(requirement: "{group: treasury, count: 1}", initiator: "alice", approvals: ["bot", "mallory"], approved: false),
        // Each person counts once.
        Case(requirement: "{group: treasury, count: 2}", initiator: "dan", approvals: ["bob", "bob"], approved: false),
        Case(requirement: "{group: treasury, count: 2}", initiator: "dan", approvals: ["bob", "carol"], approved: true),
        // 6-eyes across groups: distinct people. carol is in treasury and risk but fills one slot.
        Case(requirement: "{all: [{group: treasury, count: 1}, {group: risk, count: 1}]}", initiator: "alice", approvals: ["carol"], approved: false),
        Case(requirement: "{all: [{group: treasury, count: 1}, {group: risk, count: 1}]}", initiator: "alice", approvals: ["carol", "dan"], approved: true),
        Case(requirement: "{all: [{group: treasury, count: 1}, {group: risk, count: 1}]}", initiator: "alice", approvals: ["carol", "bob"], approved: true),
        // Matching needs augmenting: carol first would take risk, but she must take treasury.
        Case(requirement: "{all: [{group: risk, count: 1}, {group: treasury, count: 1}]}", initiator: "alice", approvals: ["carol", "dan"], approved: true),
        // any: either alternative.
        Case(requirement: "{any: [{group: admins, count: 2}, {group: risk, count: 1}]}", initiator: "alice", approvals: ["dan"], approved: true),
        Case(requirement: "{any: [{group: admins, count: 2}, {group: risk, count: 1}]}", initiator: "alice", approvals: ["erin"], approved: false),
        Case(requirement: "{any: [{group: admins, count: 2}, {group: risk, count: 1}]}", initiator: "alice", approvals: ["erin", "frank"], approved: true),
        // Nested: treasury AND (risk OR security).
        Case(requirement: "{all: [{group: treasury, count: 1}, {any: [{group: risk, count: 1}, {group: security, count: 1}]}]}", initiator: "alice", approvals: ["bob", "erin"], approved: true),
        Case(requirement: "{all: [{group: treasury, count: 1}, {any: [{group: risk, count: 1}, {group: security, count: 1}]}]}", initiator: "alice", approvals: ["bob"], approved: false),
        // Initiator is in the group: the others still have to reach the count.
        Case(requirement: "{group: admins, count: 2}", initiator: "erin", approvals: ["erin", "frank"], approved: false),
        Case(requirement: "{group: admins, count: 2}", initiator: "erin", approvals: ["frank", "grace"], approved: true),
    ]

    @Test(arguments: cases)
    func counts(_ c: Case) throws {
        let policy = try Self.policy(c.requirement)
        let decision = policy.evaluate(Fixtures.transfer(c.initiator, approvals: c.approvals), in: Fixtures.state())
        #expect(decision.outcome == (c.approved ? .allow : .needsApprovals))
        #expect(decision.reason == (c.approved ? .approved : .approvalsPending))
        #expect(!decision.countedApprovers.contains(c.initiator))
        #expect(Set(decision.countedApprovers).count == decision.countedApprovers.count)
    }

    @Test func pendingNamesWhatIsMissing() throws {
        let policy = try Self.policy("{all: [{group: treasury, count: 2}, {group: risk, count: 1}]}")
        let decision = policy.evaluate(Fixtures.transfer("alice", approvals: ["bob"]), in: Fixtures.state())
        #expect(decision.outcome == .needsApprovals)
        let pending = Dictionary(uniqueKeysWithValues: decision.pending.map { ($0.group, $0.count) })
        #expect(pending == ["treasury": 1, "risk": 1])
        let text = policy.explain(Fixtures.transfer("alice", approvals: ["bob"]), in: Fixtures.state()).text
        #expect(text.contains("1 more approval from group treasury"))
        #expect(text.contains("1 more approval from group risk (members: carol, dan)"))
    }

    @Test func everyMatchingRequireRuleMustBeSatisfied() throws {
        let policy = try Fixtures.policy(rules: """
              - name: allow-exchange
                match: {destination: {tags: [exchange]}}
                outcome: allow
              - name: gate-treasury
                match: {destination: {tags: [exchange]}}
                outcome: {require: {group: treasury, count: 1}}
              - name: gate-risk-large
                match: {destination: {tags: [exchange]}, amount_usd: {over: 1000}}
                outcome: {require: {group: risk, count: 1}}

            """)
        let small = policy.evaluate(Fixtures.transfer("alice", amount: "10", approvals: ["bob"]), in: Fixtures.state())
        #expect(small.outcome == .allow)
        let large = policy.evaluate(Fixtures.transfer("alice", amount: "5000", approvals: ["bob"]), in: Fixtures.state())
        #expect(large.outcome == .needsApprovals)
        #expect(large.pending.map(\.rule) == ["gate-risk-large"])
        let both = policy.evaluate(Fixtures.transfer("alice", amount: "5000", approvals: ["bob", "dan"]), in: Fixtures.state())
        #expect(both.outcome == .allow)
    }
}

@Suite struct ApprovalBoundsTests {
    @Test func manyRepeatedApprovalsCountOnce() throws {
        let policy = try ApprovalTests.policy("{group: treasury, count: 2}")
        let request = Fixtures.transfer("alice", approvals: Array(repeating: "bob", count: 10_000) + ["carol"])
        let decision = policy.evaluate(request, in: Fixtures.state())
        #expect(decision.outcome == .allow)
        #expect(decision.countedApprovers == ["bob", "carol"])
    }

    @Test func requirementsNeedingTooManyApprovalsAreRefused() {
        let eight = (0..<8).map { _ in "{group: treasury, count: 9}" }.joined(separator: ", ")
        let text = Fixtures.yaml(rules: "  - name: r\n    outcome: {require: {all: [\(eight)]}}\n")
        #expect(Fixtures.errors(text).contains { $0.code == .limitExceeded })
    }
}
