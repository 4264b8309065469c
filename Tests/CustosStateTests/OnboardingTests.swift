import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import CustosTestSupport
import Testing

/// Onboarding steps (issue 14 item 2): a person's roles count nowhere — initiating, approving
/// requests and operations, freezing, the access matrix — until every step the policy enforces
/// is recorded, a security-training attestation by a holder of the attesting role, or a
/// registered hardware credential. Tried as an attacker would: attesting without the role,
/// attesting oneself or an unknown person, passing a `none` credential off as hardware, and a
/// policy that would lock governance out by enforcing a step nobody has.
@Suite struct OnboardingTests {
    /// The test cluster's policy with transfers over 10 ETH held for two admins, and an
    /// onboarding section: security training attested by security, enforced or not yet.
    static func policy(version: Int, enforced: Bool, hardware: Bool = false) -> String {
        Cluster.policy(version: version).replacing("rules:\n", with: """
            rules:
              - name: to-exchanges
                match: {destination: {tags: [exchange]}, amount: {up_to: 1000}}
                outcome: allow
              - name: large-needs-two-admins
                match: {amount: {over: 10}}
                outcome: {require: {group: admins, count: 2}}
                expires: 1h

            """) + """
            onboarding:
              security_training: {kind: attestation, attested_by: security, enforced: \(enforced)}

            """ + (hardware ? "  hardware_key: {kind: hardware_credential}\n" : "")
    }

    /// An operation proposed by `proposer` and approved by `approvers` (the quorum is two admins).
    @discardableResult
    static func executed(_ c: inout Cluster, _ change: GovernanceChange, by proposer: String, approvers: [String]) throws -> GovernanceProposal {
        let (p, outcome) = try c.propose(change, by: proposer)
        #expect(Cluster.code(outcome) == nil, "\(outcome)")
        for user in approvers { try c.approve(p, by: user) }
        #expect(c.status(p) == .executed, "\(String(describing: c.state.operations[p.id]?.failure))")
        return p
    }

    /// A cluster whose four founders completed security training (heidi attested erin, frank and
    /// grace; erin attested heidi) before the step was enforced, now enforced by policy version
    /// 2, with ivan added as an admin who has not, and risk-bot registered.
    static func onboardedCluster() throws -> (Cluster, BotSigningKey) {
        var c = try Cluster(policyYAML: policy(version: 1, enforced: false))
        try executed(&c, .attestOnboarding(user: "erin", step: "security_training"), by: "heidi", approvers: ["frank", "grace"])
        try executed(&c, .attestOnboarding(user: "frank", step: "security_training"), by: "heidi", approvers: ["grace", "erin"])
        try executed(&c, .attestOnboarding(user: "grace", step: "security_training"), by: "heidi", approvers: ["frank", "erin"])
        try executed(&c, .attestOnboarding(user: "heidi", step: "security_training"), by: "erin", approvers: ["frank", "grace"])
        try executed(&c, .changePolicy(yaml: policy(version: 2, enforced: true)), by: "frank", approvers: ["grace", "erin"])
        try c.addPerson("ivan", roles: ["admin"])
        let key = BotSigningKey(ed25519: .init())
        try c.registerBot("risk-bot", key: key.publicKey)
        return (c, key)
    }

    static func refusal(_ outcome: GovernanceOutcome) -> GovernanceError? {
        if case .refused(let error) = outcome { return error }
        return nil
    }

    @Test func aPersonWhoseStepsAreMissingCountsNowhereUntilTheyAreRecorded() throws {
        var (c, key) = try Self.onboardedCluster()
        #expect(c.state.onboardingGap(of: "ivan") == OnboardingGap(person: "ivan", missing: ["security_training"]))
        #expect(c.state.users["ivan"]?.roles == ["admin"])
        #expect(!c.state.policy.members(ofGroup: "admins").contains("ivan"))

        // A request approval: refused, and the refusal says why.
        let request = try RequestApprovalTests.held(&c, key)
        let approval = try RequestApprovalTests.decide(&c, .approve, request, by: "ivan")
        let refused = try #require(Self.refusal(approval))
        #expect(refused.code == .notEligible)
        #expect(refused.reason.contains("ivan has not completed onboarding: missing security_training"), "\(refused.reason)")
        // A governance approval: refused alike.
        let (add, _) = try c.propose(.addUser(id: "judy", roles: ["viewer"]), by: "frank")
        let vote = try #require(Self.refusal(try c.approve(add, by: "ivan")))
        #expect(vote.code == .notEligible && vote.reason.contains("ivan has not completed onboarding"), "\(vote.reason)")
        // Proposing (initiating) and freezing: refused, with the same explanation.
        let (freeze, frozen) = try c.propose(.freeze, by: "ivan")
        let proposal = try #require(Self.refusal(frozen))
        #expect(proposal.code == .notPermitted && proposal.reason.contains("ivan has not completed onboarding: missing security_training"),
                "\(proposal.reason)")
        #expect(c.state.operations[freeze.id] == nil && !c.state.frozen)
        // The access matrix shows him as not onboarded, with nothing he may do.
        let row = try #require(c.state.accessMatrix.rows.first { $0.subject == "ivan" })
        #expect(row.missingOnboarding == ["security_training"] && row.cells.allSatisfy { $0.isEmpty })
        #expect(c.state.accessMatrix.markdown().contains("| ivan | person, not onboarded (missing security_training) |"))
        #expect(c.state.accessMatrix.cell("frank", "approve:hot") == "approve")

        // heidi, a security officer, attests; the quorum records it; from then on he counts.
        let digest = c.state.digest
        let attested = try Self.executed(&c, .attestOnboarding(user: "ivan", step: "security_training"), by: "heidi", approvers: ["frank", "grace"])
        #expect(c.state.users["ivan"]?.onboardingSteps == ["security_training": c.state.time])
        #expect(c.state.onboardingGap(of: "ivan") == nil)
        #expect(c.state.digest != digest)
        #expect(try GovernanceProposal(encoded: attested.encoded) == attested)
        #expect(c.state.policy.members(ofGroup: "admins").contains("ivan"))
        #expect(c.state.accessMatrix.cell("ivan", "approve:hot") == "approve")
        #expect(c.state.accessMatrix.rows.first { $0.subject == "ivan" }?.missingOnboarding == nil)
        try RequestApprovalTests.decide(&c, .approve, request, by: "ivan")
        #expect(RequestApprovalTests.approvals(c, request)?.approvals.map(\.user) == ["ivan"])
        #expect(Cluster.code(try c.approve(add, by: "ivan")) == nil)
    }

    /// Review helper-117 L1: a security officer who has not completed onboarding is no security
    /// officer — no freeze alone, no cancel during a time-lock or a cooling-off — until attested.
    @Test func aSecurityOfficerWhoseStepsAreMissingIsNoSecurityOfficerYet() throws {
        var (c, _) = try Self.onboardedCluster()
        try c.addPerson("olga", roles: ["security"])
        #expect(c.state.freezeRoles.contains("security"))
        #expect(c.state.isSecurityOfficer("heidi"))
        #expect(!c.state.isSecurityOfficer("olga"))
        try Self.executed(&c, .attestOnboarding(user: "olga", step: "security_training"), by: "heidi", approvers: ["frank", "grace"])
        #expect(c.state.isSecurityOfficer("olga"))
    }

    @Test func onlyAHolderOfTheAttestingRoleAttestsAndOnlyAnAttestationStepOfAnotherPerson() throws {
        var (c, _) = try Self.onboardedCluster()
        let cases: [(GovernanceChange, String, GovernanceError.Code, String)] = [
            // frank is an admin, not security.
            (.attestOnboarding(user: "ivan", step: "security_training"), "frank", .notPermitted, "attested by a holder of role \"security\""),
            // ivan holds no counting role; nor may anyone attest themselves.
            (.attestOnboarding(user: "ivan", step: "security_training"), "ivan", .notPermitted, "ivan has not completed onboarding"),
            (.attestOnboarding(user: "heidi", step: "security_training"), "heidi", .notPermitted, "their own onboarding step"),
            // Nobody who is not a person of the cluster, no step the policy lacks.
            (.attestOnboarding(user: "mallory", step: "security_training"), "heidi", .unknownUser, "no user \"mallory\""),
            (.attestOnboarding(user: "risk-bot", step: "security_training"), "heidi", .unknownUser, "no user \"risk-bot\""),
            (.attestOnboarding(user: "ivan", step: "background_check"), "heidi", .invalidChange, "no onboarding step \"background_check\""),
            // Recorded once.
            (.attestOnboarding(user: "frank", step: "security_training"), "heidi", .invalidChange, "already recorded"),
        ]
        for (change, proposer, code, text) in cases {
            let (p, outcome) = try c.propose(change, by: proposer)
            let error = try #require(Self.refusal(outcome), "\(change) by \(proposer) was not refused")
            #expect(error.code == code && error.reason.contains(text), "\(change) by \(proposer): \(error.code) \(error.reason)")
            #expect(c.state.operations[p.id] == nil)
        }
        // ivan may not approve his own attestation: it gives his roles their effect.
        let (p, _) = try c.propose(.attestOnboarding(user: "ivan", step: "security_training"), by: "heidi")
        #expect(Cluster.code(try c.approve(p, by: "ivan")) == .beneficiaryCannotApprove)
        #expect(c.state.onboardingGap(of: "ivan") != nil)
    }

    @Test func anOnboardingStepNobodyHasCannotLockGovernanceOut() throws {
        var c = try Cluster(policyYAML: Self.policy(version: 1, enforced: false))
        #expect(c.state.onboardingGap(of: "frank") == nil)
        // Enforcing the step before anyone completed it would leave no approver: refused.
        let (p, outcome) = try c.propose(.changePolicy(yaml: Self.policy(version: 2, enforced: true)), by: "frank")
        let error = try #require(Self.refusal(outcome))
        #expect([.lockout, .invalidPolicy].contains(error.code) && error.reason.contains("lockout"), "\(error.code) \(error.reason)")
        #expect(c.state.operations[p.id] == nil)
        #expect(c.state.policyVersion == 1)
        // A genesis that enforces it from the start is refused alike.
        #expect(throws: GovernanceError.self) { try Cluster(policyYAML: Self.policy(version: 1, enforced: true)) }
    }

    /// A hardware-credential step is met only by a credential a certificate vouched for, its
    /// chain reaching one of the cluster's attestation roots: the development software credential
    /// (`none`), a registration with attestation `none` whatever authenticator it claims to be,
    /// and a `packed` one under a CA of the attacker's making (certified, unanchored) count for
    /// nothing; a `packed` one under the cluster's root does. Only a policy that says
    /// `accept_unanchored` takes the unanchored one.
    @Test func onlyACertifiedCredentialMeetsAHardwareStep() async throws {
        // The founders register packed attestations under the CA whose root the genesis names.
        let people = Cluster.people.map(\.0)
        let seed = "onboarding-ca"
        let founders = try await AttestationPeer.make(rpId: Cluster.rpId, origin: Cluster.origin, seed: seed, people.map { user in
            (GenesisDocument.registrationChallenge(clusterName: "test", user: user), "packed")
        })
        let genesis = GenesisDocument(
            clusterName: "test", relyingPartyId: Cluster.rpId, allowedOrigins: [Cluster.origin], mode: .development,
            admins: zip(Cluster.people, founders.registrations).map { person, r in
                .init(id: person.0, roles: person.1, registration: .init(
                    credentialId: r.credentialId, attestationObject: r.attestationObject, clientDataJSON: r.clientDataJSON))
            }, policyYAML: Self.policy(version: 1, enforced: false, hardware: true), attestationRoots: [founders.trustedRoot], nonce: [])
        var authenticators: [String: SoftwareAuthenticator] = [:]
        for (user, r) in zip(people, founders.registrations) {
            authenticators[user] = try SoftwareAuthenticator(privateKeyRepresentation: SecretBytes(r.privateKey), credentialId: r.credentialId, signCount: 0)
        }
        var c = try Cluster(genesis: genesis, authenticators: authenticators)
        #expect(c.state.users.values.allSatisfy { $0.credentials.allSatisfy { $0.isAttestedHardware && $0.attestationAnchored } })
        #expect(c.state.onboardingGap(of: "frank") == nil)
        // ivan enrols the development software credential: attestation none.
        try c.addPerson("ivan", roles: ["admin"])
        #expect(c.state.users["ivan"]?.credentials.map(\.attestationFormat) == ["none"])
        #expect(c.state.onboardingGap(of: "ivan") == OnboardingGap(person: "ivan", missing: ["hardware_key"]))
        #expect(!c.state.policy.members(ofGroup: "admins").contains("ivan"))
        // A hardware step is not attested by anyone.
        let (byHand, handOutcome) = try c.propose(.attestOnboarding(user: "ivan", step: "hardware_key"), by: "heidi")
        #expect(Self.refusal(handOutcome)?.reason.contains("registering an attested hardware credential") == true)
        #expect(c.state.operations[byHand.id] == nil)

        func enrolled(_ format: String, seed: String = seed) async throws -> WebAuthnRegistration.Response {
            let code = SecureRandom.bytes(count: 32)
            let codeKey = CredentialEnrolment.codeKey(ofCode: code)
            let enrolment = try c.enrol("ivan", codeKey: codeKey)
            let challenge = CredentialEnrolment.registrationChallenge(
                genesisDigest: c.state.genesisDigest, enrolmentId: enrolment.id, user: "ivan", codeKey: codeKey)
            let made = try await AttestationPeer.make(rpId: Cluster.rpId, origin: Cluster.origin, seed: seed, [(challenge, format)])
            let r = made.registrations[0]
            let registration = WebAuthnRegistration.Response(credentialId: r.credentialId, attestationObject: r.attestationObject, clientDataJSON: r.clientDataJSON)
            let outcome = c.apply(try GovernanceEntry.enrol(
                enrolmentId: enrolment.id, user: "ivan", proof: CredentialEnrolment.proof(code: code, registration: registration),
                registration: registration).entry())
            #expect(Cluster.code(outcome) == nil, "\(outcome)")
            return registration
        }
        // Attestation none from an authenticator claiming a real model: still not hardware.
        _ = try await enrolled("none")
        #expect(c.state.users["ivan"]?.credentials.map(\.attestationFormat) == ["none", "none"])
        #expect(c.state.users["ivan"]?.credentials.contains { $0.isAttestedHardware } == false)
        #expect(c.state.onboardingGap(of: "ivan")?.missing == ["hardware_key"])
        #expect(!c.state.policy.members(ofGroup: "admins").contains("ivan"))
        // A packed attestation under a CA the attacker made: certified, its chain reaching none of
        // the cluster's roots. Not hardware for the step.
        let selfMade = try await enrolled("packed", seed: "attacker-ca")
        let unanchored = try #require(c.state.users["ivan"]?.credentials.first { $0.credentialId == selfMade.credentialId })
        #expect(unanchored.attestationCertified && !unanchored.attestationAnchored)
        #expect(c.state.onboardingGap(of: "ivan")?.missing == ["hardware_key"])
        #expect(!c.state.policy.members(ofGroup: "admins").contains("ivan"))
        // A packed attestation under the cluster's root: the step is met, and his role counts at once.
        let packed = try await enrolled("packed")
        let stored = try #require(c.state.users["ivan"]?.credentials.first { $0.credentialId == packed.credentialId })
        #expect(stored.attestationFormat == "packed" && stored.attestationCertified && stored.attestationAnchored && stored.isAttestedHardware)
        #expect(c.state.onboardingGap(of: "ivan") == nil)
        #expect(c.state.policy.members(ofGroup: "admins").contains("ivan"))
        // Revoking it takes the step away again.
        try Self.executed(&c, .revokeCredential(user: "ivan", credentialId: packed.credentialId), by: "frank", approvers: ["grace", "erin"])
        #expect(c.state.onboardingGap(of: "ivan")?.missing == ["hardware_key"])
        #expect(!c.state.policy.members(ofGroup: "admins").contains("ivan"))
        // A policy that says so explicitly takes his unanchored credential.
        let lenient = Self.policy(version: 2, enforced: false, hardware: true)
            .replacing("hardware_key: {kind: hardware_credential}", with: "hardware_key: {kind: hardware_credential, accept_unanchored: true}")
        try Self.executed(&c, .changePolicy(yaml: lenient), by: "frank", approvers: ["grace", "erin"])
        #expect(c.state.policy.document.onboarding.first { $0.name == "hardware_key" }?.acceptUnanchored == true)
        #expect(c.state.onboardingGap(of: "ivan") == nil)
    }
}
