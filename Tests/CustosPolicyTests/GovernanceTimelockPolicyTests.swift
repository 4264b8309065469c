import CustosCore
import CustosPolicy
import Foundation
import Testing

/// `governance.timelocks`: which operations wait, once approved, before they execute. Read as a
/// policy author would get it wrong: a freeze time-locked, an operation that does not exist, a
/// wait too short to react in or too long to mean anything; and a diff that says when a change
/// takes a wait away.
@Suite struct GovernanceTimelockPolicyTests {
    static let rules = "  - name: allow-all\n    outcome: allow\n"

    static func governance(_ timelocks: String) -> String {
        Fixtures.governance.replacingOccurrences(of: "  freeze: {roles: [security]}\n", with: "  freeze: {roles: [security]}\n  timelocks: \(timelocks)\n")
    }

    @Test func timelocksAreReadByOperation() throws {
        let document = try PolicyDocument.decode(yaml: Fixtures.yaml(rules: Self.rules, governance: Self.governance("{change_policy: 24h, change_membership: 2d}")))
        #expect(document.governance?.timelock(.changePolicy) == 86_400)
        #expect(document.governance?.timelock(.addUser) == nil)
    }

    @Test(arguments: [
        ("{freeze: 1h}", "'freeze' is not an operation that can wait"),
        ("{launch_rockets: 1h}", "'launch_rockets' is not an operation that can wait"),
        ("{change_policy: 30s}", "must be from 1m to 30d"),
        ("{change_policy: 31d}", "must be from 1m to 30d"),
        ("{change_policy: soon}", "must be a duration"),
    ])
    func badTimelocksAreRefusedNamingWhy(timelocks: String, message: String) {
        let error = #expect(throws: PolicyLoadError.self) {
            _ = try PolicyDocument.decode(yaml: Fixtures.yaml(rules: Self.rules, governance: Self.governance(timelocks)))
        }
        #expect(error?.reason.contains(message) == true, "\(error?.reason ?? "no error")")
    }

    /// Security review H2: time-locking one operation but not those that remove the people who
    /// could cancel it buys nothing; the policy is refused, naming what must wait too.
    @Test func everyOperationThatCouldRemoveTheCancellersWaitsAsLong() throws {
        let error = #expect(throws: PolicyLoadError.self) {
            _ = try Fixtures.policy(rules: Self.rules, governance: Self.governance("{add_user: 24h, revoke_role: 24h, change_policy: 1h}"))
        }
        #expect(error?.reason.contains("add_user waits 86400 s, so remove_user, assign_role, review_access, revoke_credential, change_policy, "
            + "change_membership must wait at least as long") == true, "\(error?.reason ?? "no error")")
        let all = "{add_user: 1d, remove_user: 1d, assign_role: 1d, revoke_role: 1d, review_access: 1d, revoke_credential: 1d, "
            + "change_policy: 1d, change_membership: 1d}"
        _ = try Fixtures.policy(rules: Self.rules, governance: Self.governance(all))
    }

    @Test func aShorterOrRemovedTimelockWeakensThePolicy() throws {
        func document(_ timelocks: String?, version: Int) throws -> PolicyDocument {
            let governance = timelocks.map(Self.governance) ?? Fixtures.governance
            return try PolicyDocument.decode(yaml: Fixtures.yaml(rules: Self.rules, governance: governance)
                .replacingOccurrences(of: "version: 1", with: "version: \(version)"))
        }
        let locked = try document("{change_policy: 24h}", version: 1)
        let shorter = PolicyDiff(old: locked, new: try document("{change_policy: 1h}", version: 2))
        #expect(shorter.lines.contains("governance timelock change_policy: waits 86400 s → waits 3600 s (weaker)"), "\(shorter.lines)")
        #expect(shorter.weakens)
        let removed = PolicyDiff(old: locked, new: try document(nil, version: 2))
        #expect(removed.lines.contains("governance timelock change_policy: waits 86400 s → executes at once (weaker)"), "\(removed.lines)")
        let added = PolicyDiff(old: try document(nil, version: 1), new: try document("{change_policy: 24h}", version: 2))
        #expect(added.lines.contains("governance timelock change_policy: executes at once → waits 86400 s (stronger)") && !added.weakens,
                "\(added.lines)")
    }
}
