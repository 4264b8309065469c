import CustosPolicy
import CustosState
import Testing

/// Review helper-107 M4 at the nodes: a `change-policy` whose `roles` section misspells a role
/// the document uses is refused, naming the role meant, judged against the proposed document
/// alone; a scoped role nobody holds is not refused (offboarding or revoking the last holder of a
/// scoped role never makes a policy fail: commit 1f5ac72).
extension EnvironmentTests {
    @Test func aChangePolicyMisspellingAScopedRoleIsRefusedAndOneNobodyHoldsIsNot() throws {
        var (c, _) = try Self.cluster()
        let next = Self.policy.replacing("version: 2", with: "version: 3")
        #expect(next != Self.policy)
        let typo = next.replacing("  security: {environments: [staging]}\n", with: "  securty: {environments: [staging]}\n")
        #expect(typo != next)
        let (_, outcome) = try c.propose(.changePolicy(yaml: typo), by: "frank")
        #expect(Cluster.code(outcome) == .invalidPolicy)
        #expect(Cluster.reason(outcome).contains("role 'securty' in the roles section is named nowhere else in the policy; did you mean 'security'?"),
                "\(Cluster.reason(outcome))")
        #expect(c.state.policyVersion == 2)
        // A scoped role that nothing names and nobody holds, not a misspelling of one in use:
        // taken (`policy check` warns of it).
        let unheld = next.replacing("  security: {environments: [staging]}\n", with: "  security: {environments: [staging]}\n  auditor: {environments: [production]}\n")
        try c.govern(.changePolicy(yaml: unheld))
        #expect(c.state.policyVersion == 3)
        #expect(try PolicyDocument.decode(yaml: unheld).roleSectionFindings().contains { $0.code == .unusedRole && $0.message.contains("'auditor'") })
    }
}
