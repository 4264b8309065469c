import CustosPolicy
import Testing

/// The policy's `approvals` section (approval-fatigue limits): read with its defaults, refused
/// with a diagnostic that names the field when wrong, compared by `PolicyDiff`, and the pure
/// judgements every node makes from it (what is large, what is hasty, block times in words).
@Suite struct ApprovalLimitPolicyTests {
    static let rules = """
          - name: bot
            match: {initiator: {users: [bot]}}
            outcome: allow

        """

    static func yaml(_ section: String) -> String { Fixtures.yaml(rules: Self.rules) + section + "\n" }

    @Test func theSectionIsReadWithItsDefaults() throws {
        #expect(try Fixtures.policy(rules: Self.rules).document.approvals == ApprovalPolicy())
        #expect(!ApprovalPolicy().isSet)
        let full = try CompiledPolicy(yaml: Self.yaml("approvals: {per_person_per_hour: 30, beyond: second_person, hasty: {within: 10s, over_usd: 100_000}}"))
        #expect(full.document.approvals == ApprovalPolicy(
            perPersonPerHour: 30, beyond: .secondPerson, hastyWithinSeconds: 10, hastyOverUSD: FixedDecimal(100_000)!))
        let paused = try CompiledPolicy(yaml: Self.yaml("approvals: {per_person_per_hour: 2}"))
        #expect(paused.document.approvals.beyond == .pause && paused.document.approvals.isSet)
    }

    @Test func wrongValuesAreRefusedNamingTheField() {
        let cases: [(String, String)] = [
            ("approvals: {per_person_per_hour: 0}", "approvals.per_person_per_hour must be between 1 and 10000"),
            ("approvals: {per_person_per_hour: many}", "approvals.per_person_per_hour must be a whole number"),
            ("approvals: {per_person_per_hour: 5, beyond: ignore}", "approvals.beyond must be pause or second_person, not 'ignore'"),
            ("approvals: {beyond: pause}", "approvals.beyond says what happens over per_person_per_hour, which is not set"),
            ("approvals: {hasty: {within: 10s}}", "approvals.hasty is missing the field 'over_usd'"),
            ("approvals: {hasty: {within: 2h, over_usd: 1}}", "approvals.hasty.within must be at most 1h"),
            ("approvals: {hasty: {within: 10s, over_usd: -1}}", "approvals.hasty.over_usd must"),
            ("approvals: {per_person_per_day: 5}", "unknown field 'per_person_per_day' in approvals"),
        ]
        for (section, message) in cases {
            let errors = Fixtures.errors(Self.yaml(section))
            #expect(errors.contains { $0.message.hasPrefix(message) }, "\(section): \(errors.map(\.message))")
        }
    }

    @Test func aRaisedOrRemovedLimitIsWeaker() throws {
        func lines(_ old: String, _ new: String) throws -> [String] {
            PolicyDiff(old: try PolicyDocument.decode(yaml: Self.yaml(old)), new: try PolicyDocument.decode(yaml: Self.yaml(new))).lines
                .filter { $0.hasPrefix("approvals") }
        }
        let base = "approvals: {per_person_per_hour: 30, hasty: {within: 10s, over_usd: 100000}}"
        #expect(try lines(base, base).isEmpty)
        #expect(try lines(base, "approvals: {per_person_per_hour: 60, hasty: {within: 10s, over_usd: 100000}}")
            == ["approvals per_person_per_hour: 30 an hour → 60 an hour (weaker)"])
        #expect(try lines(base, "approvals: {hasty: {within: 10s, over_usd: 100000}}")
            == ["approvals per_person_per_hour: 30 an hour → no limit (weaker)"])
        #expect(try lines("", base) == [
            "approvals per_person_per_hour: no limit → 30 an hour (stronger)", "approvals hasty: not flagged → within 10s (stronger)",
        ])
        #expect(try lines(base, "approvals: {per_person_per_hour: 30}") == ["approvals hasty: within 10s → not flagged (weaker)"])
        #expect(try lines(base, "approvals: {per_person_per_hour: 30, hasty: {within: 10s, over_usd: 1000000}}")
            == ["approvals hasty over_usd: 100,000 → 1,000,000 (weaker)"])
        #expect(try lines(base, "approvals: {per_person_per_hour: 30, beyond: second_person, hasty: {within: 5s, over_usd: 100000}}")
            == ["approvals beyond: pause → second_person (changed)", "approvals hasty: within 10s → within 5s (weaker)"])
    }

    @Test func largeAndHastyAreJudgedFailingSafe() {
        let policy = ApprovalPolicy(hastyWithinSeconds: 10, hastyOverUSD: FixedDecimal(100_000)!)
        #expect(policy.isLarge(FixedDecimal(100_000)!) && !policy.isLarge(FixedDecimal(99_999)!))
        #expect(policy.isLarge(nil), "an unknown notional counts as large")
        #expect(!ApprovalPolicy().isLarge(nil), "without a hasty threshold nothing is large")
        #expect(policy.hastiness(reviewMillis: 9_999) == .hasty)
        #expect(policy.hastiness(reviewMillis: 10_000) == nil)
        #expect(policy.hastiness(reviewMillis: nil) == .unmeasured)
        #expect(ApprovalPolicy(perPersonPerHour: 5).hastiness(reviewMillis: 0) == nil)
    }

    @Test func blockTimesAreWordedToTheMinuteRoundingUp() {
        // 2027-01-15 18:00:00 UTC.
        #expect(UTCTime.minute(roundingUp: 1_800_036_000_000) == "2027-01-15 18:00 UTC")
        #expect(UTCTime.minute(roundingUp: 1_800_036_000_001) == "2027-01-15 18:01 UTC")
        #expect(UTCTime.minute(roundingUp: 0) == "1970-01-01 00:00 UTC")
        // 2024-02-29 23:59:30 UTC rounds up into March.
        #expect(UTCTime.minute(roundingUp: 1_709_251_170_000) == "2024-03-01 00:00 UTC")
    }
}
