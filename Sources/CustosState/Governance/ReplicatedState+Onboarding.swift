import CustosCore
import CustosIdentity
import CustosPolicy

extension ReplicatedState {
    /// The enforced steps of `document`'s `onboarding` section that `user` has not completed,
    /// in the section's order: an attestation not recorded (`attest-onboarding`), a
    /// hardware-credential step without a credential a certificate vouched for at registration
    /// whose chain reached one of the cluster's attestation roots, unless the step accepts an
    /// unanchored one (`StoredCredential.meetsHardwareStep`; a production cluster registers no
    /// other). Empty for a removed person, who holds no role.
    static func missingOnboarding(of user: GovernedUser, under document: PolicyDocument) -> [String] {
        guard user.active else { return [] }
        return document.onboarding.filter { step in
            guard step.enforced else { return false }
            switch step.kind {
            case .attestation: return user.onboardingSteps[step.name] == nil
            case .hardwareCredential: return !user.credentials.contains { $0.meetsHardwareStep(acceptingUnanchored: step.acceptUnanchored) }
            }
        }.map(\.name)
    }

    /// Refuses `policy` when one of its onboarding steps is attested by a role nobody holds
    /// (`unheld-attester`): checked when a policy is adopted (genesis, `change-policy`), never
    /// on the recompile that follows someone's departure (review helper-117 L6).
    static func checkAttestable(_ policy: CompiledPolicy) throws(GovernanceError) {
        if let unheld = policy.warnings.first(where: { $0.code == .unheldAttester }) {
            throw GovernanceError(.invalidPolicy, "policy line \(unheld.location.line): \(unheld.message)")
        }
    }

    /// Refuses a proposed `change-policy` whose groups, rules or governance section name a role
    /// nobody holds (`unheld-role`, a likely misspelling), judged on the document and the
    /// registries at proposal only: at execution, or on the recompile after someone leaves, a role
    /// with no holder left names nobody and fails nothing (commit 1f5ac72).
    static func checkRolesHeld(_ policy: CompiledPolicy) throws(GovernanceError) {
        if let unheld = policy.warnings.first(where: { $0.code == .unheldRole }) {
            throw GovernanceError(.invalidPolicy, "policy line \(unheld.location.line): \(unheld.message)")
        }
    }

    /// Refuses a `revoke-role` or `remove-user` after which an onboarding step that someone
    /// could attest under `before` no longer can under `after` (it took the last holder of its
    /// `attested_by` role); an offboarding is never refused for it (review helper-117 L6).
    static func checkAttestersKept(before: CompiledPolicy, after: CompiledPolicy) throws(GovernanceError) {
        let unheld = Set(before.warnings.filter { $0.code == .unheldAttester }.map(\.message))
        if let lost = after.warnings.first(where: { $0.code == .unheldAttester && !unheld.contains($0.message) }) {
            throw GovernanceError(
                .invalidChange, "after this change \(lost.message); give the role to someone else first (offboarding its last holder is never refused for this)")
        }
    }

    /// Why `user`'s roles do not count yet, or nil when they do (or `user` is no active person).
    public func onboardingGap(of user: String) -> OnboardingGap? {
        guard let person = users[user] else { return nil }
        let missing = Self.missingOnboarding(of: person, under: document)
        return missing.isEmpty ? nil : OnboardingGap(person: user, missing: missing)
    }

    /// `"; erin has not completed onboarding: missing security_training"` for a person whose
    /// roles do not count yet, else empty: appended to a refusal that their roles would decide.
    func onboardingNote(_ user: String) -> String {
        onboardingGap(of: user).map { "; \($0.text)" } ?? ""
    }

    /// `attest-onboarding`: records `step` for `user`. Only an `attestation` step of the policy
    /// in force, proposed by someone other than `user` who holds (with effect) the role the step
    /// names, and recorded once.
    mutating func attestOnboarding(user: GovernedUser, step name: String, proposer: String) throws(GovernanceError) {
        guard let step = document.onboarding.first(where: { $0.name == name }) else {
            let known = document.onboarding.map(\.name)
            throw GovernanceError(
                .invalidChange, "the policy has no onboarding step \"\(name.printable(limit: 64))\""
                    + (known.isEmpty ? " (it has no onboarding section)" : "; its steps are \(known.joined(separator: ", "))"))
        }
        guard step.kind == .attestation, let role = step.attestedBy?.value else {
            throw GovernanceError(
                .invalidChange, "onboarding step \"\(name)\" is met by registering an attested hardware credential, not by an attestation")
        }
        guard proposer != user.id else {
            throw GovernanceError(.notPermitted, "\(proposer) may not attest their own onboarding step \"\(name)\"")
        }
        guard let attester = users[proposer], attester.active, attester.roles.contains(role) else {
            throw GovernanceError(.notPermitted, "onboarding step \"\(name)\" is attested by a holder of role \"\(role)\"; \(proposer) holds none")
        }
        if let gap = onboardingGap(of: proposer) {
            throw GovernanceError(.notPermitted, "\(proposer) may not attest onboarding step \"\(name)\": \(gap.text)")
        }
        guard user.onboardingSteps[name] == nil else {
            throw GovernanceError(.invalidChange, "onboarding step \"\(name)\" of \(user.id) is already recorded")
        }
        users[user.id]!.onboardingSteps[name] = time
    }
}
