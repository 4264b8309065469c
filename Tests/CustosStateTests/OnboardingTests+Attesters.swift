import CustosPolicy
import CustosState
import Testing

/// Review helper-117 L6: nobody removes the last holder of the role that attests an onboarding
/// step by revoking it, and no policy names an attesting role nobody holds; both are judged when
/// the change is made, never on the recompile that follows a departure, so an offboarding is
/// never refused for it (`OnboardingPolicyTests.anAttestingRoleNobodyHoldsIsAWarningNeverAnError`).
extension OnboardingTests {
    @Test func theLastHolderOfAnAttestingRoleKeepsItAndAPolicyNamingAnUnheldOneIsRefused() throws {
        var (c, _) = try Self.onboardedCluster()
        // heidi alone holds trainer, which attests a new step.
        try Self.executed(&c, .assignRole(user: "heidi", role: "trainer"), by: "frank", approvers: ["grace", "erin"])
        let next = Self.policy(version: 3, enforced: true) + "  compliance_check: {kind: attestation, attested_by: trainer, enforced: false}\n"
        try Self.executed(&c, .changePolicy(yaml: next), by: "frank", approvers: ["grace", "erin"])
        #expect(c.state.policyVersion == 3)
        // Her trainer role may not be revoked: nobody could attest the step.
        let (last, outcome) = try c.propose(.revokeRole(user: "heidi", role: "trainer"), by: "frank")
        #expect(Cluster.code(outcome) == .invalidChange)
        #expect(Cluster.reason(outcome).contains("after this change onboarding step 'compliance_check' is attested by role 'trainer' that nobody holds"),
                "\(Cluster.reason(outcome))")
        #expect(c.state.operations[last.id] == nil && c.state.users["heidi"]?.roles.contains("trainer") == true)
        // A policy whose step names a role nobody holds is refused, naming it.
        let typo = Self.policy(version: 4, enforced: true) + "  compliance_check: {kind: attestation, attested_by: trainr, enforced: false}\n"
        let (_, refused) = try c.propose(.changePolicy(yaml: typo), by: "frank")
        #expect(Cluster.code(refused) == .invalidPolicy)
        #expect(Cluster.reason(refused).contains("onboarding step 'compliance_check' is attested by role 'trainr' that nobody holds"),
                "\(Cluster.reason(refused))")
    }
}
