import CustosCore
import CustosPolicy
import Testing

/// The governance lockout check with vetoes and over the whole week: a freeze must be liftable at
/// every time of the week, and no one person may be able to block lifting it (or changing the
/// policy) alone by rejecting it.
@Suite struct LockoutTests {
    static func lockouts(_ text: String) -> [PolicyDiagnostic] {
        Fixtures.errors(text).filter { $0.code == .governanceLockout }
    }

    @Test func anUnfreezeDeniedOnlyAt3OnSundayIsALockoutNamingThatTime() {
        let text = Fixtures.yaml(rules: """
              - name: no-unfreeze-sunday-night
                match: {operation: [unfreeze], during: {zone: UTC, days: [sun], hours: "03:00-04:00"}}
                outcome: deny

            """)
        let errors = Self.lockouts(text)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.message.contains("no one could get unfreeze approved on Sunday 03:00 UTC") == true, "\(errors)")
    }

    @Test func aVetoOnlyAt3OnSundayInAnotherZoneIsALockoutNamingThatTime() {
        // 05:00 at +02:00 is 03:00 UTC; then unfreeze also needs a security officer, and erin is
        // the only one: her rejection alone would leave it unreachable.
        let text = Fixtures.yaml(rules: """
              - name: sunday-night-unfreeze-needs-security
                match: {operation: [unfreeze], during: {zone: "+02:00", days: [sun], hours: "05:00-06:00"}}
                outcome: {require: {group: security, count: 1}}

            """)
        let errors = Self.lockouts(text)
        #expect(errors.count == 1, "\(errors)")
        let message = errors.first?.message ?? ""
        #expect(message.contains("erin alone could block unfreeze by rejecting it"), "\(message)")
        #expect(message.contains("on Sunday 03:00 UTC"), "\(message)")
    }

    @Test func unfreezingOnlyInOfficeHoursIsALockoutButPolicyChangesMayWait() {
        let unfreeze = Fixtures.yaml(rules: """
              - name: unfreeze-in-office-hours
                match: {operation: [unfreeze]}
                when: time.hour < 9 || time.hour >= 17
                outcome: deny

            """)
        let errors = Self.lockouts(unfreeze)
        #expect(errors.count == 1 && errors[0].message.contains("unfreeze approved on Monday 00:00 UTC"), "\(errors)")
        let policy = unfreeze.replacing("operation: [unfreeze]", with: "operation: [change_policy]")
        #expect(Self.lockouts(policy).isEmpty)
    }

    @Test func aQuorumOfTheOnlyOtherTwoAdminsGivesEachOfThemAVeto() {
        // Only the three admins propose, and the quorum is two admins besides the proposer: the
        // other two must both approve, so either can block by rejecting.
        let governance = Fixtures.governance.replacing("proposers: {roles: [admin, risk]}", with: "proposers: {roles: [admin]}")
        let errors = Self.lockouts(Fixtures.yaml(rules: "  - name: r\n    outcome: deny\n", governance: governance))
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.contains { $0.message.contains("erin alone could block change_policy by rejecting it") && $0.message.contains("at any time of the week") })
        #expect(errors.contains { $0.message.contains("erin alone could block unfreeze by rejecting it") && $0.message.contains("on Monday 00:00 UTC") })
    }

    @Test func theExamplePolicyNeedsItsThirdSecurityOfficer() throws {
        let policy = try CompiledPolicy(yaml: Fixtures.examplePolicyText())
        let people = ["erin", "frank", "grace", "heidi"]
        // With heidi and erin the only officers, erin could block a policy change or an unfreeze
        // that heidi proposes, and no admin could propose one without her.
        #expect(policy.governanceLockouts(people: people).first == GovernanceLockout(action: .changePolicy, weekSecond: nil, vetoer: "erin"))
        #expect(policy.governanceLockouts(people: people + ["laura"]).isEmpty)
    }

    @Test func onlyPeopleWhoseApprovalsCountMayDecide() throws {
        let policy = try CompiledPolicy(yaml: Fixtures.examplePolicyText())
        let state = StateSnapshot(time: 1_800_000_000)
        let unfreeze = PolicyRequest(kind: .governance, initiator: "heidi", operation: .init(.unfreeze))
        #expect(policy.approverGroups(for: unfreeze, in: state) == ["admins", "security"])
        #expect(policy.eligibleApprovers(for: unfreeze, in: state) == ["erin", "frank", "grace", "laura"])
        let removal = PolicyRequest(kind: .governance, initiator: "frank", operation: .init(.removeUser, target: "ivan"))
        #expect(policy.eligibleApprovers(for: removal, in: state) == ["erin", "grace"])
        #expect(!policy.couldBeApproved(unfreeze, by: ["frank", "grace"], in: state))
        #expect(policy.couldBeApproved(unfreeze, by: ["frank", "grace", "laura"], in: state))
        var approved = unfreeze
        approved.approvals = ["frank", "grace"]
        #expect(policy.couldBeApproved(approved, by: ["erin"], in: state))
    }
}
