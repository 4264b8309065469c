import CustosCore
import CustosCrypto

/// BIP-32 public (non-hardened) derivation from a group key and chain code: many addresses
/// per vault without another key generation. Each step adds I_L·G to the key, so the signing
/// key is the group key plus the sum of the I_L — a public tweak every share holder applies.
public enum BIP32 {
    public struct ExtendedPublicKey: Sendable, Equatable {
        public let key: Secp256k1.Point
        public let chainCode: [UInt8]

        public init(key: Secp256k1.Point, chainCode: [UInt8]) throws(MPCError) {
            guard chainCode.count == 32 else { throw MPCError(.invalidParameters, "a chain code has 32 bytes") }
            guard !key.isIdentity else { throw MPCError(.invalidParameters, "the key is the identity") }
            self.key = key
            self.chainCode = chainCode
        }
    }

    /// Indices from 2³¹ on are hardened and need the secret key; they are refused here.
    public static let hardenedOffset: UInt32 = 0x8000_0000

    /// CKDpub (BIP-32): the child at `index` and the scalar I_L added to reach it.
    public static func child(of parent: ExtendedPublicKey, index: UInt32) throws(MPCError) -> (ExtendedPublicKey, Secp256k1.Scalar) {
        guard index < hardenedOffset else {
            throw MPCError(.invalidParameters, "index \(index) is hardened; public derivation cannot produce it")
        }
        let serialized: [UInt8]
        do { serialized = try parent.key.compressedRepresentation() } catch {
            throw MPCError(.invalidParameters, "the parent key is the identity")
        }
        let i = Hashes.hmacSHA512(key: parent.chainCode,
                                  message: serialized + [UInt8(index >> 24), UInt8((index >> 16) & 0xff),
                                                         UInt8((index >> 8) & 0xff), UInt8(index & 0xff)])
        guard let left = try? Secp256k1.Scalar(rawRepresentation: i[0..<32]) else {
            throw MPCError(.invalidParameters, "index \(index) is invalid for this key (I_L ≥ n); use the next index")
        }
        let key = parent.key + Secp256k1.Point.generatorMultiple(left)
        guard !key.isIdentity else {
            throw MPCError(.invalidParameters, "index \(index) is invalid for this key (child is the identity); use the next index")
        }
        return (try ExtendedPublicKey(key: key, chainCode: Array(i[32..<64])), left)
    }

    /// Derives along `path` (all non-hardened) and returns the final key and the total tweak.
    public static func derive(from root: ExtendedPublicKey, path: [UInt32]) throws(MPCError) -> (ExtendedPublicKey, Secp256k1.Scalar) {
        var current = root
        var tweak = Secp256k1.Scalar.zero
        for index in path {
            let (next, step) = try child(of: current, index: index)
            current = next
            tweak += step
        }
        return (current, tweak)
    }
}
