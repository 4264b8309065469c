
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
    /// Whether that certificate's chain verified to one of the cluster's attestation roots (the
    /// genesis document's `attestationRoots`: `AttestationStatement.Trust.certified(anchored:
    /// true)`). A production cluster registers no certified credential that is not; a
    /// development one registers a chain to any root, anchored only where its genesis names
    /// roots the chain reaches.
    public let attestationAnchored: Bool

    /// Whether a certificate vouched for this credential at registration and it is not a
    /// development software credential, anchored or not.
    public var isAttestedHardware: Bool { attestationCertified && !isSoftware }

    /// Whether this credential meets a `hardware_credential` onboarding step: attested hardware
    /// whose chain is anchored to a cluster root, or merely attested where the step accepts an
    /// unanchored chain (`accept_unanchored`, a development cluster's choice: a self-made
    /// certificate passes it).
    public func meetsHardwareStep(acceptingUnanchored: Bool) -> Bool {
        isAttestedHardware && (attestationAnchored || acceptingUnanchored)
    }

    public init(
        credentialId: [UInt8], publicKey: [UInt8], signCount: UInt32, aaguid: [UInt8],
        userVerified: Bool, backupEligible: Bool, backedUp: Bool, isSoftware: Bool,
        attestationFormat: String = AttestationStatement.Format.noAttestation.rawValue, attestationCertified: Bool = false,
        attestationAnchored: Bool = false
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
        self.attestationAnchored = attestationCertified && attestationAnchored
    }

    /// The parsed public key.
    public func coseKey() throws(WebAuthnError) -> COSEKey { try COSEKey(cbor: publicKey) }
}
