import CustosCrypto
import CustosMPC

/// Whether a combined signature is the vault's signature of a session's message, whatever the
/// vault's scheme: every node runs it before a `vault.sign.signature` entry changes its state.
public enum SignatureCheck {
    /// FROST schemes: the suite's encoding under the (Taproot-tweaked) group key. ECDSA: 65 bytes
    /// r ‖ s ‖ recovery id, low s, over the 32-byte message hash, recovering the group key.
    public static func verifies(_ scheme: Vault.Scheme, key: VaultKey, message: [UInt8], signature: [UInt8]) -> Bool {
        switch scheme {
        case .frostEd25519, .frostTaproot: return FROSTSigningCheck.verifies(scheme, key: key, message: message, signature: signature)
        case .ecdsaSecp256k1:
            guard let pub = try? PublicKeyPackage<ThresholdECDSA.Suite>(serializedBytes: key.publicKeyPackage) else { return false }
            return ThresholdECDSA.verifies(recoverable: signature, hash: message, publicKey: pub.verifyingKey)
        }
    }
}
