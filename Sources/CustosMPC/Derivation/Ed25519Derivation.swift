import CustosCore
import CustosCrypto

/// Non-hardened public derivation for Ed25519 vault keys: BIP-32's CKDpub construction moved
/// to edwards25519, so FROST(Ed25519) vaults have many addresses per key without another key
/// generation. Custos's own scheme (no standard derives Ed25519 keys publicly for a threshold
/// key); every share holder applies the same public tweak.
///
/// For a parent key A (32-byte encoding), chain code c and index i < 2³¹ (ser32(i) big-endian):
///
///     t       = HMAC-SHA512(c, 0x02 ‖ A ‖ ser32(i))  read little-endian, reduced mod ℓ
///     child A = A + t·B
///     child c = HMAC-SHA512(c, 0x03 ‖ A ‖ ser32(i))[32..<64]
///
/// Reducing all 64 bytes makes t uniform mod ℓ; the prefixes 0x02 and 0x03 separate the tweak
/// from the chain code. The child's secret is the parent's plus t, so Shamir shares of the
/// parent secret, each plus t, are shares of the child's.
public enum Ed25519Derivation {
    /// The key at `path` (every index below `BIP32.hardenedOffset`) below `key` with the
    /// 32-byte `chainCode`, and the total tweak: child = key + tweak·B.
    public static func derive(
        key: Ed25519.Point, chainCode: [UInt8], path: [UInt32]
    ) throws(MPCError) -> (key: Ed25519.Point, tweak: Ed25519.Scalar) {
        guard chainCode.count == 32 else { throw MPCError(.invalidParameters, "a chain code has 32 bytes") }
        var current = key
        var code = chainCode
        var total = Ed25519.Scalar.zero
        for index in path {
            guard index < BIP32.hardenedOffset else {
                throw MPCError(.invalidParameters, "index \(index) is hardened; public derivation cannot produce it")
            }
            let encoded: [UInt8]
            do { encoded = try current.rawRepresentationExcludingIdentity() } catch {
                throw MPCError(.invalidParameters, "the key is the identity")
            }
            let suffix = encoded + [UInt8(index >> 24), UInt8((index >> 16) & 0xff), UInt8((index >> 8) & 0xff), UInt8(index & 0xff)]
            let tweak = Ed25519.Scalar(reducingLittleEndian: Hashes.hmacSHA512(key: code, message: [0x02] + suffix))
            code = Array(Hashes.hmacSHA512(key: code, message: [0x03] + suffix)[32..<64])
            current = current + Ed25519.Point.generatorMultiple(tweak)
            total += tweak
        }
        guard !current.isIdentity else { throw MPCError(.invalidParameters, "the derived key is the identity; use another index") }
        return (current, total)
    }
}
