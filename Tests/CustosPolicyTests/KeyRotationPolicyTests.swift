import CustosCore
import CustosPolicy
import Testing

/// The policy's `keys` section (key classes and rotation periods) and the conditions on the
/// initiating bot's key age: a bot whose key is past its grace period is refused, with the
/// reason in the explanation.
@Suite struct KeyRotationPolicyTests {
    static let keys = """
        keys:
          rotation:
            operational: {every: 30d, grace: 7d}
            critical: {every: 90d}
          classes:
            vaults: {hot: operational, cold: critical}
            bots: {bot: operational}

        """

    static let rules = """
          - name: bot-key-past-grace
            match: {initiator: {kind: bot}}
            when: "request.initiator_key_past_grace"
            outcome: deny
          - name: anyone-to-kraken
            match: {destination: {entries: [kraken]}}
            outcome: allow

        """

    static func policy() throws -> CompiledPolicy {
        try Fixtures.policy(rules: rules, governance: Fixtures.governance + keys)
    }

    static let day: Int64 = 86_400

    /// The state `age` seconds after the bot's key was last rotated.
    static func state(keyAge age: Int64) -> StateSnapshot {
        var s = Fixtures.state()
        s.keyRotations = ["bot": s.time - age]
        return s
    }

    @Test func aDocumentWithoutTheSectionTakesTheStandardSchedule() throws {
        let policy = try Fixtures.policy(rules: Self.rules)
        let keys = policy.document.keys
        #expect(keys.botClass("bot") == .operational)
        #expect(keys.vaultClass("anything") == .operational)
        #expect(keys.rotation(of: .operational) == KeyPolicy.Rotation(everySeconds: 90 * 86_400, graceSeconds: 14 * 86_400))
        #expect(keys.rotation(of: .critical) == KeyPolicy.standardRotation[.critical])
        // 95 days: overdue under the standard quarterly rotation, still in grace.
        let d = policy.evaluate(Fixtures.transfer("bot"), in: Self.state(keyAge: 95 * Self.day))
        #expect(d.outcome == .allow)
    }

    @Test func theSectionAssignsClassesAndPeriods() throws {
        let keys = try Self.policy().document.keys
        #expect(keys.vaultClass("cold") == .critical)
        #expect(keys.vaultClass("hot") == .operational)
        #expect(keys.rotation(of: .operational) == KeyPolicy.Rotation(everySeconds: 30 * 86_400, graceSeconds: 7 * 86_400))
        // Grace not given: the class's standard grace.
        #expect(keys.rotation(of: .critical) == KeyPolicy.Rotation(everySeconds: 90 * 86_400, graceSeconds: 14 * 86_400))
        #expect(keys.schedule(of: .operational, rotatedAt: 0, at: 29 * Self.day).status == .current)
        #expect(keys.schedule(of: .operational, rotatedAt: 0, at: 30 * Self.day) == (30 * Self.day, .overdue))
        #expect(keys.schedule(of: .operational, rotatedAt: 0, at: 37 * Self.day).status == .pastGrace)
    }

    @Test(arguments: [
        ("keys:\n  rotation:\n    secret: {every: 30d}\n", "key class 'secret'"),
        ("keys:\n  classes:\n    bots: {bot: urgent}\n", "key class 'urgent'"),
        ("keys:\n  rotation:\n    operational: {grace: 7d}\n", "missing the field 'every'"),
        ("keys:\n  rotation:\n    operational: {every: 30y}\n", "must end in s, m, h or d"),
        ("keys:\n  period: 30d\n", "unknown field 'period'"),
    ])
    func malformedSectionsAreRefusedWithTheirPosition(section: String, message: String) {
        let error = #expect(throws: PolicyLoadError.self) {
            _ = try Fixtures.policy(rules: Self.rules, governance: Fixtures.governance + section)
        }
        #expect(error?.reason.contains(message) == true, "\(error?.reason ?? "no error")")
    }

    @Test func aBotPastItsGracePeriodIsRefusedWithTheReason() throws {
        let policy = try Self.policy()
        let request = Fixtures.transfer("bot")
        let state = Self.state(keyAge: 40 * Self.day)
        let decision = policy.evaluate(request, in: state)
        #expect(decision.outcome == .deny)
        #expect(decision.reason == .deniedByRule("bot-key-past-grace"))
        let text = policy.explain(request, in: state).text
        #expect(text.contains("DENY: rule bot-key-past-grace denies this request"))
        #expect(text.contains("condition `request.initiator_key_past_grace` is true"))
        #expect(text.contains("KEY ROTATION OVERDUE: bot's request-signing key (class operational) was last rotated 40 days ago; rotation was due 10 days ago and its grace period ended 3 days ago"))
    }

    @Test func aBotInItsGracePeriodIsAllowedAndFlagged() throws {
        let policy = try Self.policy()
        let request = Fixtures.transfer("bot")
        let state = Self.state(keyAge: 33 * Self.day)
        #expect(policy.evaluate(request, in: state).outcome == .allow)
        let text = policy.explain(request, in: state).text
        #expect(text.contains("KEY ROTATION OVERDUE: bot's request-signing key (class operational) was last rotated 33 days ago; rotation was due 3 days ago; its grace period ends in 4 days"))
        // A fresh key: allowed, and nothing flagged.
        let fresh = Self.state(keyAge: 2 * Self.day)
        #expect(policy.evaluate(request, in: fresh).outcome == .allow)
        #expect(!policy.explain(request, in: fresh).text.contains("KEY ROTATION"))
    }

    @Test func conditionsReadTheInitiatorsKey() throws {
        func holds(_ condition: String, _ initiator: String, age: Int64) throws -> Bool {
            let policy = try Fixtures.policy(
                rules: "  - name: r\n    match: {destination: {entries: [kraken]}}\n    when: \"\(condition)\"\n    outcome: allow\n",
                governance: Fixtures.governance + Self.keys)
            return policy.evaluate(Fixtures.transfer(initiator), in: Self.state(keyAge: age)).outcome == .allow
        }
        #expect(try holds("request.initiator_key_class == 'operational'", "bot", age: 0))
        #expect(try holds("request.initiator_key_age_days == 12", "bot", age: 12 * Self.day + 5))
        #expect(try holds("request.initiator_key_overdue", "bot", age: 31 * Self.day))
        #expect(try !holds("request.initiator_key_overdue", "bot", age: 29 * Self.day))
        // A person has no request-signing key: no class, never overdue, and its age fails closed.
        #expect(try holds("request.initiator_key_class == ''", "alice", age: 0))
        #expect(try !holds("request.initiator_key_past_grace", "alice", age: 400 * Self.day))
        #expect(try !holds("request.initiator_key_age_days >= 0", "alice", age: 0))
    }

    @Test func snapshotsReadKeyRotationTimes() throws {
        let s = try StateSnapshot.decode(json: #"{"time": 1000, "key_rotations": {"bot": "1970-01-01T00:00:10Z", "other": 5}}"#)
        #expect(s.keyRotations == ["bot": 10, "other": 5])
    }
}
