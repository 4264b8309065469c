import CustosCore
import CustosCrypto
import CustosMPC

/// Whether a combined signature is the vault's signature of a session's message, whatever the
/// vault's scheme: every node runs it before a `vault.sign.signature` entry changes its state.
public enum SignatureCheck {
    /// FROST schemes: the suite's encoding under the (Taproot-tweaked) group key. ECDSA: 65 bytes
    /// r ‖ s ‖ recovery id, low s, over the 32-byte message hash, recovering the group key.
    /// An ECDSA signature by the key at `path` below the vault key verifies under that derived key.
    public static func verifies(_ scheme: Vault.Scheme, key: VaultKey, message: [UInt8], signature: [UInt8], path: [UInt32] = []) -> Bool {
        switch scheme {
        case .frostEd25519, .frostTaproot: return path.isEmpty && FROSTSigningCheck.verifies(scheme, key: key, message: message, signature: signature)
        case .ecdsaSecp256k1:
            guard let pub = try? PublicKeyPackage<ThresholdECDSA.Suite>(serializedBytes: key.publicKeyPackage),
                  let offset = try? Self.tweak(key: key, path: path)
            else { return false }
            return ThresholdECDSA.verifies(recoverable: signature, hash: message, publicKey: pub.verifyingKey + Secp256k1.Point.generatorMultiple(offset))
        }
    }

    /// The BIP-32 tweak (sum of the I_L) from a secp256k1 vault key to its key at `path`; zero
    /// for the empty path.
    public static func tweak(key: VaultKey, path: [UInt32]) throws(MPCError) -> Secp256k1.Scalar {
        guard !path.isEmpty else { return .zero }
        let root: BIP32.ExtendedPublicKey
        do { root = try BIP32.ExtendedPublicKey(key: try Secp256k1.Point(compressedRepresentation: key.groupKey), chainCode: key.chainCode) } catch {
            throw MPCError(.invalidParameters, "the vault key is not a secp256k1 key: \(error)")
        }
        return try BIP32.derive(from: root, path: path).1
    }
}
