
/// What a node keeps about a registered WebAuthn credential, in the replicated state: enough to
/// verify every later assertion. Public data only.
public struct StoredCredential: Sendable, Hashable, Codable {
    public let credentialId: [UInt8]
    /// The COSE_Key bytes as registered (ES256 or EdDSA).
    public let publicKey: [UInt8]
    /// The highest signature counter seen; an assertion must exceed it unless both are 0.
    public var signCount: UInt32
    public let aaguid: [UInt8]
    /// UV at registration.
    public let userVerified: Bool
    /// BE at registration; it may never change afterwards (WebAuthn §6.1.3).
    public let backupEligible: Bool
    /// BS as last seen.
    public var backedUp: Bool
    /// A development software credential (`SoftwareAuthenticator`); production refuses it.
    public let isSoftware: Bool
    /// The format of the attestation statement verified at registration (`none`, `packed`,
    /// `fido-u2f`).
    public let attestationFormat: String
    /// Whether a certificate vouched for the authenticator at registration: a verified
    /// statement that is neither `none` nor self attestation (`AttestationStatement.Trust.certified`).
    public let attestationCertified: Bool

    /// Whether this is a hardware credential an onboarding step accepts: certified at
    /// registration, and not a development software credential.
    public var isAttestedHardware: Bool { attestationCertified && !isSoftware }

    public init(
        credentialId: [UInt8], publicKey: [UInt8], signCount: UInt32, aaguid: [UInt8],
        userVerified: Bool, backupEligible: Bool, backedUp: Bool, isSoftware: Bool,
        attestationFormat: String = AttestationStatement.Format.noAttestation.rawValue, attestationCertified: Bool = false
    ) {
        self.credentialId = credentialId
        self.publicKey = publicKey
        self.signCount = signCount
        self.aaguid = aaguid
        self.userVerified = userVerified
        self.backupEligible = backupEligible
        self.backedUp = backedUp
        self.isSoftware = isSoftware
        self.attestationFormat = attestationFormat
        self.attestationCertified = attestationCertified
    }

    /// The parsed public key.
    public func coseKey() throws(WebAuthnError) -> COSEKey { try COSEKey(cbor: publicKey) }
}
