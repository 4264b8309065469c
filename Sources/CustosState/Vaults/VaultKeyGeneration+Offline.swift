import CustosCore
import CustosCrypto
import CustosMPC

extension VaultKeyGeneration {
    /// The key of a vault with an offline share: Y = Y_on + Y_off, the nodes' group key plus the
    /// offline signer's key, both in the scheme's element encoding (air-gapped signing, #15 item
    /// 3). Throws for ECDSA, for bytes that are no key of the suite, and for a sum that is the
    /// identity (an offline key that cancels the nodes' key: the enrolment's proof of possession,
    /// made before the key generation, is what keeps anyone from choosing one).
    public static func combinedKey(_ scheme: Vault.Scheme, online: [UInt8], offline: [UInt8]) throws(MPCError) -> [UInt8] {
        switch scheme {
        case .frostEd25519: return try combinedKey(Ed25519SHA512.self, online, offline)
        case .frostTaproot: return try combinedKey(Secp256k1TaprootSHA256.self, online, offline)
        case .ecdsaSecp256k1: throw MPCError(.invalidParameters, "an ECDSA vault takes no offline share")
        }
    }

    private static func combinedKey<Suite: Ciphersuite>(_: Suite.Type, _ online: [UInt8], _ offline: [UInt8]) throws(MPCError) -> [UInt8] {
        do {
            let sum = try Suite.Element(serialized: online) + Suite.Element(serialized: offline)
            guard !sum.isIdentity else { throw MPCError(.groupKeyMismatch, "the offline key cancels the nodes' key") }
            return try sum.serialized()
        } catch let error as MPCError {
            throw error
        } catch {
            throw MPCError(.invalidParameters, "a key is not a \(Suite.name) element: \(error)")
        }
    }
}
