import CustosCore
@testable import CustosPolicy
import Testing

/// The times of the week the governance checks look at, per operation: a rule that names other
/// operations never applies, so its times are left out, and what the checks find is the same.
@Suite struct GovernanceWeekTests {
    @Test func eachActionsBitIsItsPlaceInAllCases() {
        let actions = GovernanceOperation.Action.allCases
        for (place, action) in actions.enumerated() {
            #expect(PolicyCompiler.position(of: action) == place, "\(action)")
            #expect(PolicyCompiler.operationBit(action) == UInt32(1) << UInt32(place), "\(action)")
        }
        #expect(Set(actions.map(PolicyCompiler.operationBit)).count == actions.count)
    }

    /// A rule with a condition on assign_role (the example's deny-self-role-grant) adds every hour
    /// of the week for assign_role only; a window on unfreeze adds its edges for unfreeze only.
    @Test func aRuleCountsOnlyForTheOperationsItNames() throws {
        // Compiled without the checks (erin alone could block that unfreeze): only its rules matter here.
        let policy = try CompiledPolicy(adopted: Fixtures.yaml(rules: """
              - name: no-self-grant
                match: {operation: [assign_role]}
                when: request.operation.target == request.initiator
                outcome: deny
              - name: sunday-night-unfreeze-needs-security
                match: {operation: [unfreeze], during: {zone: UTC, days: [sun], hours: "03:00-04:00"}}
                outcome: {require: {group: security, count: 1}}

            """))
        let hourly = (0..<(7 * 24)).map { Int64($0) * 3600 }
        let sunday = 6 * 86_400 as Int64
        let assign = GovernanceWeek.boundaries(of: policy, for: .assignRole)
        let unfreeze = GovernanceWeek.boundaries(of: policy, for: .unfreeze)
        let changePolicy = GovernanceWeek.boundaries(of: policy, for: .changePolicy)
        #expect(Set(hourly).isSubset(of: Set(assign)))
        #expect(unfreeze.contains(sunday + 3 * 3600) && unfreeze.contains(sunday + 4 * 3600))
        #expect(unfreeze.count < 7 * 3 + 2, "no hourly times for unfreeze: \(unfreeze.count)")
        #expect(!changePolicy.contains(sunday + 3 * 3600) && changePolicy.count <= 7 + 1, "\(changePolicy)")
        // Without an action (no governance operation), every governance rule's times count.
        let all = GovernanceWeek.boundaries(of: policy, for: nil)
        #expect(Set(assign).union(unfreeze).isSubset(of: Set(all)))
    }

    /// The same lockout, found at the same time, with and without an hourly rule on another
    /// operation beside it.
    @Test func aRuleOnAnotherOperationDoesNotChangeWhatTheLockoutCheckFinds() throws {
        let lockout = """
              - name: no-unfreeze-sunday-night
                match: {operation: [unfreeze], during: {zone: UTC, days: [sun], hours: "03:00-04:00"}}
                outcome: deny

            """
        let unrelated = """
              - name: no-self-grant
                match: {operation: [assign_role]}
                when: request.operation.target == request.initiator
                outcome: deny

            """
        func lockouts(_ rules: String) -> [String] {
            Fixtures.errors(Fixtures.yaml(rules: rules)).filter { $0.code == .governanceLockout }.map(\.message)
        }
        let alone = lockouts(lockout)
        #expect(alone.count == 1 && alone[0].contains("no one could get unfreeze approved on Sunday 03:00 UTC"), "\(alone)")
        #expect(lockouts(unrelated + lockout) == alone)
        // A condition on unfreeze is sampled at every rule's times, as before: unfreeze denied in
        // each hour's second half is found at 03:30 on Monday, a time only the assign_role
        // window names (its edges count on every day; review helper-149 M1).
        let halfHours = """
              - name: no-unfreeze-past-the-half-hour
                match: {operation: [unfreeze]}
                when: time.minute >= 30
                outcome: deny
              - name: night-grants
                match: {operation: [assign_role], during: {zone: UTC, days: [sun], hours: "03:30-04:00"}}
                outcome: deny

            """
        let found = lockouts(halfHours)
        #expect(found.count == 1 && found[0].contains("no one could get unfreeze approved on Monday 03:30 UTC"), "\(found)")
        // An hourly condition on unfreeze itself still counts every hour.
        let hourly = try Fixtures.policy(rules: unrelated.replacing("[assign_role]", with: "[unfreeze]"))
        #expect(Set((0..<(7 * 24)).map { Int64($0) * 3600 }).isSubset(of: Set(GovernanceWeek.boundaries(of: hourly, for: .unfreeze))))
    }
}
