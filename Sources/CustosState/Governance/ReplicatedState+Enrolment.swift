import CustosCore
import CustosCrypto
import CustosIdentity
import CustosPolicy

extension ReplicatedState {
    /// `governance.enrol`: `user` registers a credential themselves under the enrolment the
    /// quorum approved in operation `id`. Refused (`enrolmentRefused`) unless that enrolment is
    /// for `user`, unused and unexpired at the block time, and `proof` is the signature of the
    /// code key it names over this registration; the registration must then verify over the
    /// challenge binding this cluster, the enrolment, the person and the code key (with the
    /// genesis's attestation roots in production). On success the credential is registered and
    /// the enrolment is spent: it never counts again, and the policy in force is compiled again
    /// (the credential may complete the person's onboarding).
    mutating func enrol(
        _ id: String, user: String, proof: [UInt8], registration: WebAuthnRegistration.Response
    ) throws(GovernanceError) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.enrolmentRefused, reason) }
        guard let enrolment = enrolments[id] else { throw refused("no enrolment \"\(id.printable(limit: 128))\" was approved") }
        guard enrolment.user == user else { throw refused("enrolment \"\(id)\" is for \(enrolment.user), not \(user.printable(limit: 64))") }
        guard enrolment.usedAt == nil else { throw refused("enrolment \"\(id)\" was used; each enrolment registers one credential") }
        guard time < enrolment.expiresAt else { throw refused("enrolment \"\(id)\" expired") }
        guard enrolment.isProof(proof, of: registration) else {
            throw refused("the registration is not signed by the code key enrolment \"\(id)\" names")
        }
        guard let person = users[user], person.active else { throw GovernanceError(.inactiveUser, "\(user) has been removed") }
        try register(registration, for: user, challenge: CredentialEnrolment.registrationChallenge(
            genesisDigest: genesisDigest, enrolmentId: id, user: user, codeKey: enrolment.codeKey))
        enrolments[id]!.usedAt = time
        enrolments[id]!.credentialId = registration.credentialId
        // A hardware credential may complete the person's onboarding: their roles count from now.
        if !document.onboarding.isEmpty { policy = try Self.compile(document, users: users, bots: bots) }
        return .applied(operationId: id, status: operations[id]?.status ?? .executed)
    }
}
