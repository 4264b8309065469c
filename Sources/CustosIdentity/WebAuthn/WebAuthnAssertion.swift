import CustosCore
import CustosCrypto

/// Authentication (assertion) ceremony verification (WebAuthn Level 3 §7.2), as every node runs
/// it for every approval: client data type, challenge, origin, rpIdHash, UP, UV as required,
/// signature over authenticatorData ‖ SHA-256(clientDataJSON), and the signature counter.
public enum WebAuthnAssertion {
    /// An assertion as a browser returns it (`AuthenticatorAssertionResponse`).
    public struct Response: Sendable, Hashable, Codable {
        public let credentialId: [UInt8]
        public let authenticatorData: [UInt8]
        public let clientDataJSON: [UInt8]
        /// DER ECDSA for ES256, 64 bytes for EdDSA.
        public let signature: [UInt8]
        public let userHandle: [UInt8]?

        public init(
            credentialId: [UInt8], authenticatorData: [UInt8], clientDataJSON: [UInt8], signature: [UInt8],
            userHandle: [UInt8]? = nil
        ) {
            self.credentialId = credentialId
            self.authenticatorData = authenticatorData
            self.clientDataJSON = clientDataJSON
            self.signature = signature
            self.userHandle = userHandle
        }
    }

    /// What a verified assertion establishes.
    public struct Verified: Sendable, Hashable {
        /// The credential record with its new counter and backup state: what the node persists.
        public let credential: StoredCredential
        public let userVerified: Bool
        public let authenticatorData: AuthenticatorData
    }

    /// A DER ECDSA P-256 signature is at most 72 bytes; larger signatures are refused unparsed.
    public static let maxSignatureLength = 128

    /// Verifies `response` as an approval of the request whose digest is `expectedChallenge`.
    ///
    /// Never mutates anything: the caller persists `Verified.credential` (with the new counter)
    /// together with the approval, so that the same assertion can never count twice.
    public static func verify(
        _ response: Response, credential: StoredCredential, expectedChallenge: [UInt8],
        relyingParty: RelyingParty, requireUserVerification: Bool
    ) throws(WebAuthnError) -> Verified {
        guard response.credentialId == credential.credentialId else {
            throw WebAuthnError(.wrongCredential, "the assertion names a different credential")
        }
        if credential.isSoftware && relyingParty.mode == .production {
            throw WebAuthnError(.softwareCredentialRefused, "a software credential cannot approve in production")
        }
        let clientData = try CollectedClientData(json: response.clientDataJSON)
        try relyingParty.check(clientData, type: "webauthn.get", challenge: expectedChallenge)

        let authData = try AuthenticatorData(response.authenticatorData)
        guard authData.attestedCredentialData == nil else {
            throw WebAuthnError(.malformed, "assertion authenticator data carries attested credential data (AT)")
        }
        try relyingParty.check(authData, requireUserVerification: requireUserVerification)
        guard authData.flags.contains(.backupEligible) == credential.backupEligible else {
            throw WebAuthnError(.backupEligibilityChanged, "the backup-eligible flag (BE) changed since registration")
        }

        guard response.signature.count <= maxSignatureLength else {
            throw WebAuthnError(.badSignature, "signature of \(response.signature.count) bytes is too long")
        }
        let key = try credential.coseKey()
        let signed = response.authenticatorData + Hashes.sha256(response.clientDataJSON)
        guard key.isValidSignature(response.signature, for: signed) else {
            throw WebAuthnError(.badSignature, "the signature does not verify under the credential's public key")
        }

        // §7.2 step 22: a counter of 0 on both sides means the authenticator has none.
        if authData.signCount != 0 || credential.signCount != 0 {
            guard authData.signCount > credential.signCount else {
                throw WebAuthnError(
                    .counterNotIncreased,
                    "signature counter \(authData.signCount) does not exceed the stored \(credential.signCount)")
            }
        }
        var updated = credential
        updated.signCount = authData.signCount
        updated.backedUp = authData.flags.contains(.backupState)
        return Verified(
            credential: updated, userVerified: authData.flags.contains(.userVerified), authenticatorData: authData)
    }
}
