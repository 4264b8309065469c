/// An active vault's public key material, as every node computed it from the committed
/// round-1 packages and as every participant confirmed it.
public struct VaultKey: Sendable, Hashable, Codable {
    /// The group public key in the scheme's encoding (compressed SEC1 for secp256k1, 32 bytes
    /// for Ed25519).
    public let groupKey: [UInt8]
    /// The public key package (every participant's verifying share), wire encoding.
    public let publicKeyPackage: [UInt8]
    /// The jointly generated chain code for non-hardened derivation.
    public let chainCode: [UInt8]
    /// Block time and height at which the last confirmation committed.
    public let activatedAt: UInt64
    public let activatedHeight: UInt64
}
