import CustosCore
import CustosCrypto
import CustosMPC
import CustosState

/// Whether sealed key shares of one vault combine to the group key they belong to, for each
/// scheme (`KeyPackage.interpolatedKey(of:)`): a threshold of one epoch's shares does; a removed
/// node's old share with the new ones does not. An audit of a refresh or reshare, never a way to
/// sign; only the interpolated public key is ever computed.
package enum ShareCombination {
    /// Throws if a share does not decode or the shares name different group keys.
    package static func combines(_ scheme: Vault.Scheme, sealedShares: [SecretBytes]) throws -> Bool {
        switch scheme {
        case .ecdsaSecp256k1: return try combines(Secp256k1SHA256.self, sealedShares)
        case .frostEd25519: return try combines(Ed25519SHA512.self, sealedShares)
        case .frostTaproot: return try combines(Secp256k1TaprootSHA256.self, sealedShares)
        }
    }

    private static func combines<Suite: Ciphersuite>(_: Suite.Type, _ shares: [SecretBytes]) throws -> Bool {
        let packages = try shares.map { try KeyPackage<Suite>(sealedRepresentation: $0) }
        guard let groupKey = packages.first?.verifyingKey, packages.allSatisfy({ $0.verifyingKey == groupKey }) else {
            throw MPCError(.groupKeyMismatch, "the shares belong to different keys")
        }
        return try KeyPackage<Suite>.interpolatedKey(of: packages) == groupKey
    }
}
