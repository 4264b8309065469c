
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

    public init(
        credentialId: [UInt8], publicKey: [UInt8], signCount: UInt32, aaguid: [UInt8],
        userVerified: Bool, backupEligible: Bool, backedUp: Bool, isSoftware: Bool
    ) {
        self.credentialId = credentialId
        self.publicKey = publicKey
        self.signCount = signCount
        self.aaguid = aaguid
        self.userVerified = userVerified
        self.backupEligible = backupEligible
        self.backedUp = backedUp
        self.isSoftware = isSoftware
    }

    /// The parsed public key.
    public func coseKey() throws(WebAuthnError) -> COSEKey { try COSEKey(cbor: publicKey) }
}
