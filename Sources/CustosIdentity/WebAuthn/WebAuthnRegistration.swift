import CustosCore

/// Registration ceremony verification (WebAuthn Level 3 §7.1), for attestation format "none".
///
/// Custos does not trust attestation: a credential becomes valid through governance (an admin
/// quorum approves its registration), so only "none" is accepted and any other format is refused
/// with `unsupportedAttestation` rather than silently ignored.
public enum WebAuthnRegistration {
    /// A registration response as a browser returns it (`AuthenticatorAttestationResponse`).
    public struct Response: Sendable, Hashable, Codable {
        public let credentialId: [UInt8]
        public let attestationObject: [UInt8]
        public let clientDataJSON: [UInt8]

        public init(credentialId: [UInt8], attestationObject: [UInt8], clientDataJSON: [UInt8]) {
            self.credentialId = credentialId
            self.attestationObject = attestationObject
            self.clientDataJSON = clientDataJSON
        }
    }

    /// attestationObject larger than this is refused before it is parsed.
    public static let maxAttestationObjectLength = 32 * 1024

    /// Verifies a registration and returns the credential record to store.
    ///
    /// - Parameters:
    ///   - expectedChallenge: the challenge the relying party issued (for Custos, the digest of
    ///     the governance operation that registers this credential).
    ///   - requireUserVerification: whether UV must be set, as the user's role requires.
    public static func verify(
        _ response: Response, expectedChallenge: [UInt8], relyingParty: RelyingParty,
        requireUserVerification: Bool
    ) throws(WebAuthnError) -> StoredCredential {
        let clientData = try CollectedClientData(json: response.clientDataJSON)
        try relyingParty.check(clientData, type: "webauthn.create", challenge: expectedChallenge)

        let authData = try attestedAuthenticatorData(response.attestationObject)
        try relyingParty.check(authData, requireUserVerification: requireUserVerification)
        guard let attested = authData.attestedCredentialData else {
            throw WebAuthnError(.malformed, "registration authenticator data has no attested credential data (AT)")
        }
        guard attested.credentialId == response.credentialId else {
            throw WebAuthnError(.wrongCredential, "the response's credential id differs from the attested one")
        }
        let isSoftware = attested.aaguid == SoftwareAuthenticator.aaguid
        if isSoftware && relyingParty.mode == .production {
            throw WebAuthnError(.softwareCredentialRefused, "a software credential cannot be registered in production")
        }
        return StoredCredential(
            credentialId: attested.credentialId,
            publicKey: attested.publicKey.encoded,
            signCount: authData.signCount,
            aaguid: attested.aaguid,
            userVerified: authData.flags.contains(.userVerified),
            backupEligible: authData.flags.contains(.backupEligible),
            backedUp: authData.flags.contains(.backupState),
            isSoftware: isSoftware)
    }

    /// Parses an attestationObject {fmt, attStmt, authData} (§6.5.4) whose format is "none"
    /// with an empty statement, and returns its authenticator data.
    public static func attestedAuthenticatorData(_ attestationObject: [UInt8]) throws(WebAuthnError) -> AuthenticatorData {
        let value: CBORValue
        do {
            value = try CBORDecoder(maxDepth: 12, maxInputBytes: maxAttestationObjectLength).decode(attestationObject)
        } catch {
            throw WebAuthnError(.malformed, "attestationObject: CBOR \(error)")
        }
        guard let map = value.mapValue else {
            throw WebAuthnError(.malformed, "attestationObject is a \(value.typeName), not a map")
        }
        for entry in map {
            guard let name = entry.key.textValue, ["fmt", "attStmt", "authData"].contains(name) else {
                throw WebAuthnError(.malformed, "attestationObject has an unexpected member")
            }
        }
        guard let fmt = value[.text("fmt")]?.textValue else {
            throw WebAuthnError(.malformed, "attestationObject has no text \"fmt\"")
        }
        guard let statement = value[.text("attStmt")]?.mapValue else {
            throw WebAuthnError(.malformed, "attestationObject has no map \"attStmt\"")
        }
        guard let authDataBytes = value[.text("authData")]?.bytesValue else {
            throw WebAuthnError(.malformed, "attestationObject has no byte string \"authData\"")
        }
        guard fmt == "none" else {
            throw WebAuthnError(
                .unsupportedAttestation, "attestation format \"\(fmt.prefix(32))\" is not accepted; request attestation \"none\"")
        }
        guard statement.isEmpty else {
            throw WebAuthnError(.malformed, "attestation format \"none\" requires an empty attStmt")
        }
        return try AuthenticatorData(authDataBytes)
    }
}
