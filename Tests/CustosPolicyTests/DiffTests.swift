import CustosPolicy
import Testing

/// The human-readable diff between two versions: what changed and in which direction.
@Suite struct DiffTests {
    static let base = """
          - name: large-transfers
            match: {destination: {tags: [exchange]}, amount_usd: {over: 100000}}
            outcome: {require: {group: treasury, count: 2}}
          - name: allow-exchange
            match: {destination: {tags: [exchange]}, amount_usd: {up_to: 250000}}
            outcome: allow
          - name: deny-unknown
            match: {destination: {known: false}}
            outcome: deny

        """

    func diff(_ old: String, _ new: String, oldHeader: String = Fixtures.header, newHeader: String = Fixtures.header) throws -> PolicyDiff {
        let a = try PolicyDocument.decode(yaml: oldHeader + Fixtures.governance + "rules:\n" + old)
        let b = try PolicyDocument.decode(yaml: newHeader + Fixtures.governance + "rules:\n" + new)
        return PolicyDiff(old: a, new: b)
    }

    @Test func identicalVersionsHaveNoChanges() throws {
        #expect(try diff(Self.base, Self.base).changes.isEmpty)
    }

    @Test(arguments: [
        ("count: 2}}", "count: 1}}", "rule large-transfers: approvals 2 → 1: 2 of treasury → 1 of treasury (weaker)"),
        ("count: 2}}", "count: 3}}", "rule large-transfers: approvals 2 → 3: 2 of treasury → 3 of treasury (stronger)"),
        ("{require: {group: treasury, count: 2}}", "{require: {all: [{group: treasury, count: 2}, {group: risk, count: 1}]}}",
         "rule large-transfers: approvals 2 → 3"),
        ("amount_usd: {up_to: 250000}", "amount_usd: {up_to: 1000000}", "rule allow-exchange: amount_usd ≤ 250,000 → ≤ 1,000,000 (weaker)"),
        ("amount_usd: {up_to: 250000}", "amount_usd: {up_to: 1000}", "rule allow-exchange: amount_usd ≤ 250,000 → ≤ 1,000 (stronger)"),
        ("amount_usd: {over: 100000}", "amount_usd: {over: 500000}", "rule large-transfers: amount_usd > 100,000 → > 500,000 (weaker)"),
        ("    outcome: deny\n", "    outcome: allow\n", "rule deny-unknown: outcome deny → allow (weaker)"),
        ("match: {destination: {tags: [exchange]}, amount_usd: {up_to: 250000}}", "match: {amount_usd: {up_to: 250000}}",
         "rule allow-exchange: destination tags restriction removed (now any) (weaker)"),
    ])
    func describesDirection(from: String, to: String, expected: String) throws {
        let changed = Self.base.replacingOnce(from, with: to)
        #expect(changed != Self.base)
        let d = try diff(Self.base, changed)
        #expect(d.lines.contains { $0.hasPrefix(expected) }, "\(d.lines)")
    }

    @Test func addedAndRemovedRules() throws {
        let added = Self.base + "  - name: allow-all\n    outcome: allow\n"
        let d = try diff(Self.base, added)
        #expect(d.lines == ["version: 1 → 1: a changed policy needs a higher version (changed)", "rule allow-all: added: allow (weaker)"])
        #expect(d.weakens)
        let removed = try diff(added, Self.base)
        #expect(removed.lines.dropFirst() == ["rule allow-all: removed (was allow) (stronger)"])
        #expect(!removed.weakens)
        let denyRemoved = try diff(Self.base, Self.base.replacingOnce("  - name: deny-unknown\n    match: {destination: {known: false}}\n    outcome: deny\n", with: ""))
        #expect(denyRemoved.lines.dropFirst() == ["rule deny-unknown: removed (was deny) (weaker)"])
        let bumped = try PolicyDocument.decode(yaml: Fixtures.yaml(rules: added).replacingOnce("version: 1", with: "version: 2"))
        let base = try PolicyDocument.decode(yaml: Fixtures.yaml(rules: Self.base))
        #expect(PolicyDiff(old: base, new: bumped).lines == ["version: 1 → 2 (changed)", "rule allow-all: added: allow (weaker)"])
    }

    @Test func limitsGroupsPeopleAndAddressBook() throws {
        let newHeader = Fixtures.header
            .replacingOnce("max_usd: 1_000_000", with: "max_usd: 2_000_000")
            .replacingOnce("window: 1h, max_count: 3", with: "window: 1h, max_count: 2")
            .replacingOnce("  risk: {roles: [risk]}", with: "  risk: {roles: [risk], users: [alice]}")
            .replacingOnce("  bot: {kind: bot, roles: [trading-bot]}", with: "  bot: {kind: bot, roles: [trading-bot]}\n  zed: {kind: person, roles: [admin]}")
            .replacingOnce("\"0x2222222222222222222222222222222222222222\"", with: "\"0x2222222222222222222222222222222222222223\"")
        let d = try diff(Self.base, Self.base, newHeader: newHeader)
        let lines = d.lines
        #expect(lines.contains("limit exchange-daily: max_usd 1,000,000 → 2,000,000 (weaker)"))
        #expect(lines.contains("limit bot-hourly: max_count 3 → 2 (stronger)"))
        #expect(lines.contains("group risk users: +alice (weaker)"))
        #expect(lines.contains("person zed: added with roles admin (weaker)"))
        #expect(lines.contains { $0.hasPrefix("address book binance: address ethereum 0x2222222222222222222222222222222222222222 → ethereum 0x2222222222222222222222222222222222222223 (changed)") })
    }

    @Test func governanceQuorumChange() throws {
        let a = try PolicyDocument.decode(yaml: Fixtures.yaml(rules: Self.base))
        let weaker = Fixtures.governance.replacingOnce("count: 2", with: "count: 1")
        let b = try PolicyDocument.decode(yaml: Fixtures.yaml(rules: Self.base, governance: weaker))
        let lines = PolicyDiff(old: a, new: b).lines
        #expect(lines.contains("governance quorum: approvals 2 → 1: 2 of admins → 1 of admins (weaker)"))
    }
}

extension String {
    func replacingOnce(_ target: String, with replacement: String) -> String {
        guard let r = self.firstRange(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(r, with: replacement)
        return copy
    }
}

/// Moving rules around (so every position changes) is not a change.
@Suite struct DiffPositionTests {
    @Test func positionsAreNotChanges() throws {
        let rules = DiffTests.base + """
              - name: after-hours
                match: {outside: {zone: UTC, days: [mon, tue], hours: '07:00-19:00'}}
                outcome: {require: {group: treasury, count: 1}}

            """
        let a = try PolicyDocument.decode(yaml: Fixtures.yaml(rules: rules))
        let b = try PolicyDocument.decode(yaml: "\n\n# moved\n" + Fixtures.yaml(rules: rules))
        #expect(PolicyDiff(old: a, new: b).changes.isEmpty)
        let c = try PolicyDocument.decode(yaml: Fixtures.yaml(rules: rules.replacingOnce("07:00-19:00", with: "06:00-19:00")))
        #expect(PolicyDiff(old: a, new: c).lines.last == "rule after-hours: outside mon,tue 07:00-19:00 UTC → mon,tue 06:00-19:00 UTC (changed)")
    }

    @Test func exampleAgainstItselfIsEmpty() throws {
        let text = try Fixtures.examplePolicyText()
        let a = try PolicyDocument.decode(yaml: text)
        let b = try PolicyDocument.decode(yaml: "# reviewed\n" + text)
        #expect(PolicyDiff(old: a, new: b).changes.isEmpty)
    }
}
