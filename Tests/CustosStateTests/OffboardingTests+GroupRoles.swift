import Crypto
import CustosCore
import CustosIdentity
import CustosPolicy
import CustosState
import Testing

/// A group naming a role only one person holds (commit 1f5ac72's trap): the policy in force is
/// compiled again with the registries whenever someone leaves or loses a role, so a group role
/// with no holder left must add nobody, never fail the compile. Offboarding or revoking the last
/// holder executes; a `change-policy` naming a role nobody holds is refused at proposal, judged
/// on the registries then, and one proposed while the role was held still executes after its
/// last holder left.
extension OffboardingTests {
    static func treasuryPolicy(version: Int) -> String {
        Cluster.policy(version: version)
            .replacing("  security: {roles: [security]}\n", with: "  security: {roles: [security]}\n  treasury: {roles: [treasurer]}\n")
    }

    @Test func theLastHolderOfAGroupsRoleCanBeOffboardedOrLoseTheRole() throws {
        var c = try Cluster()
        try c.addPerson("ivan", roles: ["treasurer"])
        try c.addPerson("judy", roles: ["treasurer"])
        try c.govern(.changePolicy(yaml: Self.treasuryPolicy(version: 2)))
        #expect(c.state.policyVersion == 2)
        #expect(c.state.policy.members(ofGroup: "treasury").sorted() == ["ivan", "judy"])
        try c.govern(.offboardUser(id: "ivan", monitorDays: 0))
        #expect(c.state.users["ivan"]?.active == false)
        // A change proposed while judy still holds the role...
        let (change, proposed) = try c.propose(.changePolicy(yaml: Self.treasuryPolicy(version: 3)), by: "frank")
        #expect(Cluster.code(proposed) == nil, "\(proposed)")
        // ...then judy, the last holder, loses it: the revoke executes, the group is empty.
        try c.govern(.revokeRole(user: "judy", role: "treasurer"))
        #expect(c.state.users["judy"]?.roles.contains("treasurer") == false)
        #expect(c.state.policy.members(ofGroup: "treasury").isEmpty)
        #expect(c.state.policy.warnings.contains { $0.code == .unheldRole })
        // The change proposed before still executes: judged at proposal only.
        try c.approve(change, by: "grace")
        try c.approve(change, by: "erin")
        #expect(c.status(change) == .executed, "\(String(describing: c.state.operations[change.id]?.failure))")
        #expect(c.state.policyVersion == 3)
        // Registry changes go on: the state recompiles.
        try c.addPerson("kate", roles: ["admin"])
        #expect(c.state.users["kate"]?.active == true)
        // A change proposed now, naming the role nobody holds, is refused at proposal, naming it.
        let (_, refused) = try c.propose(.changePolicy(yaml: Self.treasuryPolicy(version: 4)), by: "frank")
        #expect(Cluster.code(refused) == .invalidPolicy)
        #expect(Cluster.reason(refused).contains("group 'treasury' names role 'treasurer' that nobody holds"), "\(Cluster.reason(refused))")
        #expect(c.state.policyVersion == 3)
    }

    @Test func policyCheckReportsAGroupRoleNobodyHolds() throws {
        // The document's own people, as `policy check` reads it: nobody holds treasurer.
        let people = Cluster.people.map { "  \($0.0): {kind: person, roles: [\($0.1.joined(separator: ", "))]}" }.joined(separator: "\n")
        let yaml = Self.treasuryPolicy(version: 2).replacing("  risk-bot: {kind: bot, roles: [trading-bot]}\n", with: "  risk-bot: {kind: bot, roles: [trading-bot]}\n" + people + "\n")
        #expect(yaml.contains("  erin: {kind: person, roles: [admin, security]}\n"))
        let validation = PolicyValidation(yaml: yaml)
        #expect(validation.isValid)
        #expect(validation.diagnostics.contains {
            $0.code == .unheldRole && $0.severity == .warning
                && $0.message == "group 'treasury' names role 'treasurer' that nobody holds: the group gains nobody through it (a misspelling?)"
        }, "\(validation.diagnostics)")
    }

    /// Review of fin14b M1: the same for the last holder of a role the governance section or a
    /// rule names: offboarding the only other freezer and removing the only bot of a rule's
    /// initiator role execute; the roles are left named by nobody, and policy check says so.
    @Test func theLastHolderOfAFreezeRoleOrARulesRoleCanBeRemoved() throws {
        var c = try Cluster()
        try c.addPerson("olga", roles: ["officer"])
        let key = BotSigningKey(ed25519: .init())
        try c.registerBot("desk-bot", key: key.publicKey, roles: ["desk"])
        let yaml = Cluster.policy(version: 2)
            .replacing("  freeze: {roles: [security]}\n", with: "  freeze: {roles: [security, officer]}\n")
            .replacing("rules:\n", with: "rules:\n  - name: desk-pays\n    match: {initiator: {roles: [desk]}, amount: {up_to: 1}}\n    outcome: allow\n")
        #expect(yaml.contains("officer]") && yaml.contains("desk-pays"))
        try c.govern(.changePolicy(yaml: yaml))
        #expect(c.state.policyVersion == 2)
        try c.govern(.offboardUser(id: "olga", monitorDays: 0))
        #expect(c.state.users["olga"]?.active == false)
        try c.govern(.removeBot(id: "desk-bot"))
        #expect(c.state.bots["desk-bot"]?.active == false)
        let warnings = c.state.policy.warnings.filter { $0.code == .unheldRole }.map(\.message)
        #expect(warnings.contains { $0.hasPrefix("rule 'desk-pays' names role 'desk' that nobody holds") }, "\(warnings)")
        #expect(warnings.contains { $0.hasPrefix("governance.freeze names role 'officer' that nobody holds") }, "\(warnings)")
    }
}
