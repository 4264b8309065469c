import CustosCore
import CustosCrypto
import CustosMPC

/// What every node checks of a key ceremony's public messages, for each scheme: a committed
/// round-1 package (its proof of knowledge under the ceremony's context), the key the packages
/// make, and whether a round-2 share shown as evidence matches its sender's commitments. Pure
/// and deterministic: the same on every node.
public enum VaultKeyGeneration {
    /// The key the committed round-1 packages make.
    public struct Outcome: Sendable, Hashable, Codable {
        /// The group key in the suite's element encoding.
        public let groupKey: [UInt8]
        /// The public key package, wire encoding.
        public let publicKeyPackage: [UInt8]
        /// `DKG.transcript` of every round-1 package.
        public let transcriptDigest: [UInt8]
    }

    /// Checks a round-1 package from participant `index`: it decodes, has `minSigners`
    /// commitments, and its proof of knowledge verifies under `context`.
    public static func verify(
        _ scheme: Vault.Scheme, package: [UInt8], index: Int, minSigners: Int, context: [UInt8]
    ) throws(MPCError) {
        switch scheme {
        case .ecdsaSecp256k1: try verify(Secp256k1SHA256.self, package, index, minSigners, context)
        case .frostEd25519: try verify(Ed25519SHA512.self, package, index, minSigners, context)
        case .frostTaproot: try verify(Secp256k1TaprootSHA256.self, package, index, minSigners, context)
        }
    }

    /// The key made by every participant's round-1 package (by 1-based index).
    public static func outcome(_ scheme: Vault.Scheme, packages: [Int: [UInt8]], minSigners: Int) throws(MPCError) -> Outcome {
        switch scheme {
        case .ecdsaSecp256k1: return try outcome(Secp256k1SHA256.self, packages, minSigners)
        case .frostEd25519: return try outcome(Ed25519SHA512.self, packages, minSigners)
        case .frostTaproot: return try outcome(Secp256k1TaprootSHA256.self, packages, minSigners)
        }
    }

    /// Whether `share` (a DKG round-2 package, wire encoding) is the polynomial committed in
    /// `package` evaluated at participant `index`. Throws if the share does not decode.
    public static func shareMatches(_ scheme: Vault.Scheme, package: [UInt8], share: [UInt8], at index: Int) throws(MPCError) -> Bool {
        switch scheme {
        case .ecdsaSecp256k1: return try shareMatches(Secp256k1SHA256.self, package, share, index)
        case .frostEd25519: return try shareMatches(Ed25519SHA512.self, package, share, index)
        case .frostTaproot: return try shareMatches(Secp256k1TaprootSHA256.self, package, share, index)
        }
    }

    private static func verify<Suite: Ciphersuite>(
        _: Suite.Type, _ bytes: [UInt8], _ index: Int, _ minSigners: Int, _ context: [UInt8]
    ) throws(MPCError) {
        let package = try DKG<Suite>.Round1.Package(serializedBytes: bytes)
        try DKG<Suite>.verify(package, from: try Identifier<Suite>(UInt64(index)), minSigners: minSigners, context: context)
    }

    private static func outcome<Suite: Ciphersuite>(
        _: Suite.Type, _ packages: [Int: [UInt8]], _ minSigners: Int
    ) throws(MPCError) -> Outcome {
        var round1: [Identifier<Suite>: DKG<Suite>.Round1.Package] = [:]
        for (index, bytes) in packages { round1[try Identifier<Suite>(UInt64(index))] = try .init(serializedBytes: bytes) }
        let publicKeyPackage = DKG<Suite>.publicKeyPackage(commitments: round1.mapValues(\.commitment), minSigners: minSigners)
        let groupKey: [UInt8]
        do { groupKey = try publicKeyPackage.verifyingKey.serialized() } catch {
            throw MPCError(.groupKeyMismatch, "the commitments sum to the identity: no usable key")
        }
        return Outcome(groupKey: groupKey, publicKeyPackage: try publicKeyPackage.serializedBytes,
                       transcriptDigest: try DKG<Suite>.transcript(round1Packages: round1))
    }

    private static func shareMatches<Suite: Ciphersuite>(
        _: Suite.Type, _ package: [UInt8], _ share: [UInt8], _ index: Int
    ) throws(MPCError) -> Bool {
        let commitment = try DKG<Suite>.Round1.Package(serializedBytes: package).commitment
        let received = try DKG<Suite>.Round2.Package(serializedBytes: share)
        return received.verifies(against: commitment, at: try Identifier<Suite>(UInt64(index)))
    }
}
