import CustosCrypto

/// FROST(secp256k1, SHA-256), RFC 9591 §6.5.
public enum Secp256k1SHA256: Ciphersuite {
    public typealias Element = Secp256k1.Point
    public static let contextString = "FROST-secp256k1-SHA256-v1"
    public static let name = "FROST(secp256k1, SHA-256)"

    private static let context = Array(contextString.utf8)

    /// hash_to_field(m, 1) with expand_message_xmd(SHA-256), L = 48 (RFC 9380 §5.2).
    static func hashToField(_ m: [UInt8], dst: [UInt8]) -> Secp256k1.Scalar {
        Secp256k1.Scalar(reducingBigEndian: Hashes.expandMessageXMDSHA256(m, dst: dst, length: 48))
    }

    public static func H1(_ m: [UInt8]) -> Secp256k1.Scalar { hashToField(m, dst: context + Array("rho".utf8)) }
    public static func H2(_ m: [UInt8]) -> Secp256k1.Scalar { hashToField(m, dst: context + Array("chal".utf8)) }
    public static func H3(_ m: [UInt8]) -> Secp256k1.Scalar { hashToField(m, dst: context + Array("nonce".utf8)) }
    public static func H4(_ m: [UInt8]) -> [UInt8] { Hashes.sha256(context, Array("msg".utf8), m) }
    public static func H5(_ m: [UInt8]) -> [UInt8] { Hashes.sha256(context, Array("com".utf8), m) }
    public static func HDKG(_ m: [UInt8]) -> Secp256k1.Scalar { hashToField(m, dst: context + Array("dkg".utf8)) }
}
