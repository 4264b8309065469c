import CustosCore
import CustosPolicy
import Foundation
import Testing

/// The `onboarding` section in the policy engine (issue 14 item 2): a person missing an enforced
/// step initiates nothing and approves nothing, not even as a user a group names; a bad section
/// is refused naming what is wrong.
@Suite struct OnboardingPolicyTests {
    static let yaml = """
        policy: onboarding
        version: 1
        assets:
          ETH: {chains: [ethereum]}
        vaults: [hot]
        principals:
          alice: {kind: person, roles: [trader]}
          bob: {kind: person, roles: [desk]}
          carol: {kind: person, roles: [desk]}
          erin: {kind: person, roles: [admin, security]}
          frank: {kind: person, roles: [admin]}
          grace: {kind: person, roles: [admin, security]}
          heidi: {kind: person, roles: [admin]}
        onboarding:
          security_training: {kind: attestation, attested_by: security}
          hardware_key: {kind: hardware_credential}
        groups:
          desks: {roles: [desk]}
          named: {users: [bob]}
          admins: {roles: [admin]}
        governance:
          proposers: {roles: [admin]}
          quorum: {group: admins, count: 2}
          freeze: {roles: [security]}
        rules:
          - name: transfers
            match: {kind: [transfer]}
            outcome: allow
          - name: a-desk-approves
            match: {kind: [transfer]}
            outcome: {require: {any: [{group: desks, count: 1}, {group: named, count: 1}]}}

        """

    static func request(_ initiator: String, approvals: [String] = []) -> PolicyRequest {
        PolicyRequest(kind: .transfer, initiator: initiator, vault: "hot", chain: "ethereum", asset: "ETH", amount: FixedDecimal(1)!,
                      destination: "0x1111111111111111111111111111111111111111", approvals: approvals)
    }

    static let state = StateSnapshot(time: 1_800_000_000, prices: ["ETH": FixedDecimal(3000)!])

    /// The document with `missing` steps on people, as a cluster fills them from its registry.
    static func policy(missing: [String: [String]]) throws -> CompiledPolicy {
        var document = try PolicyDocument.decode(yaml: yaml)
        for (i, p) in document.principals.enumerated() { document.principals[i].missingOnboarding = missing[p.id] ?? [] }
        return try CompiledPolicy(document: document)
    }

    @Test func theSectionDecodes() throws {
        let document = try PolicyDocument.decode(yaml: Self.yaml)
        #expect(document.onboarding.map(\.name) == ["security_training", "hardware_key"])
        #expect(document.onboarding.map(\.kind) == [.attestation, .hardwareCredential])
        #expect(document.onboarding.map { $0.attestedBy?.value } == ["security", nil])
        #expect(document.onboarding.allSatisfy { $0.enforced && !$0.acceptUnanchored })
        // An unanchored attestation chain meets a hardware step only where the policy says so.
        let lenient = try PolicyDocument.decode(yaml: Self.yaml.replacingOccurrences(
            of: "{kind: hardware_credential}", with: "{kind: hardware_credential, accept_unanchored: true}"))
        #expect(lenient.onboarding.map(\.acceptUnanchored) == [false, true])
    }

    @Test func aPersonMissingAStepNeitherInitiatesNorApprovesNorIsNamedIntoAGroup() throws {
        let policy = try Self.policy(missing: ["alice": ["security_training"], "bob": ["security_training", "hardware_key"]])
        let denied = policy.evaluate(Self.request("alice"), in: Self.state)
        #expect(denied.outcome == .deny)
        #expect(denied.reason == .notOnboarded(OnboardingGap(person: "alice", missing: ["security_training"])))
        #expect(policy.explain(Self.request("alice"), in: Self.state).text.contains("DENY: alice has not completed onboarding: missing security_training"))
        // bob holds desk and is named in a group: neither counts.
        #expect(policy.members(ofGroup: "desks") == ["carol"])
        #expect(policy.members(ofGroup: "named").isEmpty)
        let pending = policy.evaluate(Self.request("frank", approvals: ["bob"]), in: Self.state)
        #expect(pending.outcome == .needsApprovals)
        #expect(policy.evaluate(Self.request("frank", approvals: ["carol"]), in: Self.state).outcome == .allow)
        // The matrix: bob's row is empty and says why; carol's is not.
        let matrix = policy.accessMatrix()
        let bob = try #require(matrix.rows.first { $0.subject == "bob" })
        #expect(bob.missingOnboarding == ["security_training", "hardware_key"] && bob.cells.allSatisfy { $0.isEmpty })
        #expect(matrix.cell("carol", "approve:hot") == "approve")
        #expect(matrix.csv().contains("bob,\"person, not onboarded (missing security_training, hardware_key)\""), "\(matrix.csv())")
        // Without missing steps, the same document lets bob approve.
        #expect(try Self.policy(missing: [:]).members(ofGroup: "named") == ["bob"])
    }

    @Test(arguments: [
        ("{kind: attestation, attested_by: security}", "{kind: training, attested_by: security}",
         "onboarding step 'security_training' has unknown kind 'training'; it is one of attestation, hardware_credential"),
        ("{kind: attestation, attested_by: security}", "{kind: attestation}",
         "onboarding step 'security_training' is an attestation; name the role that attests it (attested_by)"),
        ("{kind: hardware_credential}", "{kind: hardware_credential, attested_by: security}",
         "onboarding step 'hardware_key' is met by a registered hardware credential; nobody attests it"),
        ("{kind: attestation, attested_by: security}", "{kind: attestation, attested_by: security, enforced: maybe}",
         "enforced of onboarding step 'security_training' must be true or false"),
        ("{kind: attestation, attested_by: security}", "{kind: attestation, attested_by: security, accept_unanchored: true}",
         "onboarding step 'security_training' is an attestation; accept_unanchored is for a hardware_credential step"),
        ("{kind: hardware_credential}", "{kind: hardware_credential, accept_unanchored: yes please}",
         "accept_unanchored of onboarding step 'hardware_key' must be true or false"),
        ("{kind: attestation, attested_by: security}", "{kind: attestation, attested_by: security, by: erin}",
         "unknown field 'by' in onboarding step 'security_training'"),
    ])
    func aBadSectionIsRefusedNamingWhatIsWrong(_ good: String, _ bad: String, _ message: String) throws {
        let yaml = Self.yaml.replacingOccurrences(of: good, with: bad)
        #expect(yaml != Self.yaml)
        let error = #expect(throws: PolicyLoadError.self) { try PolicyDocument.decode(yaml: yaml) }
        #expect(error?.errors.contains { $0.message.contains(message) } == true, "\(String(describing: error))")
    }

    /// Review helper-117 L6: an attesting role nobody holds is a warning, never an error, so the
    /// recompile after its last holder's offboarding never fails (the nodes refuse a policy change,
    /// a role revocation or a removal that would cause it: `OnboardingTests`).
    @Test func anAttestingRoleNobodyHoldsIsAWarningNeverAnError() throws {
        let yaml = Self.yaml.replacingOccurrences(of: "attested_by: security}", with: "attested_by: securty}")
        #expect(yaml != Self.yaml)
        let policy = try CompiledPolicy(yaml: yaml)
        #expect(policy.warnings.contains {
            $0.code == .unheldAttester && $0.message == "onboarding step 'security_training' is attested by role 'securty' that nobody holds: nobody can record it"
        }, "\(policy.warnings)")
        #expect(!(try CompiledPolicy(yaml: Self.yaml)).warnings.contains { $0.code == .unheldAttester })
    }
}
