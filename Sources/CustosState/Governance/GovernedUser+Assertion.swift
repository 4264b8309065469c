import CustosCore
import CustosIdentity

extension GovernedUser {
    /// Verifies `assertion` over `challenge` with the credential of this person's it names
    /// (rpId, origin, flags, signature, counter) and returns that credential's index and its
    /// state after the assertion (new counter, backup state), for the caller to store.
    func verify(
        _ assertion: WebAuthnAssertion.Response, challenge: [UInt8], relyingParty: RelyingParty, requireUserVerification: Bool
    ) throws(GovernanceError) -> (index: Int, credential: StoredCredential) {
        guard let index = credentials.firstIndex(where: { $0.credentialId == assertion.credentialId }) else {
            throw GovernanceError(.unknownCredential, "\(id) holds no credential \(Base64URL.encode(assertion.credentialId.prefix(64)))")
        }
        do {
            let verified = try WebAuthnAssertion.verify(
                assertion, credential: credentials[index], expectedChallenge: challenge, relyingParty: relyingParty,
                requireUserVerification: requireUserVerification)
            return (index, verified.credential)
        } catch {
            throw GovernanceError(.assertionRefused, "\(id): \(error.reason)", webAuthn: error.code)
        }
    }
}
