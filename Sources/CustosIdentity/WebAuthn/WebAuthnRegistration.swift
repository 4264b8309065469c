import CustosCore
import CustosCrypto

/// Registration ceremony verification (WebAuthn Level 3 §7.1) with attestation formats `none`,
/// `packed` and `fido-u2f` (`AttestationStatement`).
///
/// A development relying party accepts any of them (a statement that is present must verify). A
/// production one accepts only a statement whose certificate chain reaches one of the
/// attestation roots the cluster names, so that only authenticators of the vendors it trusts
/// register: `none` and self attestation are refused (they prove nothing about the device, and
/// are what a software credential makes), whatever AAGUID the authenticator reports.
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
    ///   - attestationRoots: DER certificates an attestation chain must reach (production).
    ///   - time: when the certificates must be valid (ms since the Unix epoch; the block time);
    ///     nil checks no validity period (a genesis, which has no time).
    public static func verify(
        _ response: Response, expectedChallenge: [UInt8], relyingParty: RelyingParty,
        requireUserVerification: Bool, attestationRoots: [[UInt8]] = [], at time: UInt64? = nil
    ) throws(WebAuthnError) -> StoredCredential {
        let clientData = try CollectedClientData(json: response.clientDataJSON)
        try relyingParty.check(clientData, type: "webauthn.create", challenge: expectedChallenge)

        let attestation = try AttestationStatement(response.attestationObject)
        let authData = attestation.authenticatorData
        try relyingParty.check(authData, requireUserVerification: requireUserVerification)
        guard let attested = authData.attestedCredentialData else {
            throw WebAuthnError(.malformed, "registration authenticator data has no attested credential data (AT)")
        }
        guard attested.credentialId == response.credentialId else {
            throw WebAuthnError(.wrongCredential, "the response's credential id differs from the attested one")
        }
        let trust = try attestation.verify(
            clientDataHash: Hashes.sha256(response.clientDataJSON), roots: attestationRoots, at: time)
        if relyingParty.mode == .production {
            switch trust {
            case .unattested:
                throw WebAuthnError(
                    .softwareCredentialRefused,
                    "attestation \"\(attestation.format.rawValue)\" proves no hardware authenticator; production registers only attested ones")
            case .certified(anchored: false):
                throw WebAuthnError(.untrustedAttestation, "the attestation certificate chains to none of the cluster's attestation roots")
            case .certified(anchored: true):
                break
            }
        }
        return StoredCredential(
            credentialId: attested.credentialId,
            publicKey: attested.publicKey.encoded,
            signCount: authData.signCount,
            aaguid: attested.aaguid,
            userVerified: authData.flags.contains(.userVerified),
            backupEligible: authData.flags.contains(.backupEligible),
            backedUp: authData.flags.contains(.backupState),
            isSoftware: attested.aaguid == SoftwareAuthenticator.aaguid,
            attestationFormat: attestation.format.rawValue,
            attestationCertified: trust != .unattested,
            attestationAnchored: trust == .certified(anchored: true))
    }

    /// The authenticator data of an attestationObject in a format Custos reads, without
    /// verifying its statement.
    public static func attestedAuthenticatorData(_ attestationObject: [UInt8]) throws(WebAuthnError) -> AuthenticatorData {
        try AttestationStatement(attestationObject).authenticatorData
    }
}

extension WebAuthnRegistration.Response {
    /// The AAGUID the authenticator reports in this registration (what it claims to be; only an
    /// attestation a production cluster verified vouches for it), or nil if it does not parse.
    public var aaguid: [UInt8]? {
        try? WebAuthnRegistration.attestedAuthenticatorData(attestationObject).attestedCredentialData?.aaguid
    }

    /// The AAGUID as a UUID and, where `AuthenticatorModel` knows it, the model: what approvers see.
    public var authenticatorDescription: String {
        guard let aaguid else { return "an authenticator whose registration does not parse" }
        let uuid = AuthenticatorModel.uuid(aaguid)
        return AuthenticatorModel.name(of: aaguid).map { "\($0) (AAGUID \(uuid))" } ?? "an unknown model (AAGUID \(uuid))"
    }
}
