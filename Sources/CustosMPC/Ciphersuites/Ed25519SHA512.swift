import CustosCrypto

/// FROST(Ed25519, SHA-512), RFC 9591 §6.1. Signatures verify as ordinary RFC 8032 Ed25519.
public enum Ed25519SHA512: Ciphersuite {
    public typealias Element = Ed25519.Point
    public static let contextString = "FROST-ED25519-SHA512-v1"
    public static let name = "FROST(Ed25519, SHA-512)"

    static func hashToScalar(_ parts: [UInt8]...) -> Ed25519.Scalar {
        Ed25519.Scalar(reducingLittleEndian: Hashes.sha512(parts))
    }

    private static let context = Array(contextString.utf8)

    public static func H1(_ m: [UInt8]) -> Ed25519.Scalar { hashToScalar(context, Array("rho".utf8), m) }
    /// No context string, so that the result is an RFC 8032 signature.
    public static func H2(_ m: [UInt8]) -> Ed25519.Scalar { hashToScalar(m) }
    public static func H3(_ m: [UInt8]) -> Ed25519.Scalar { hashToScalar(context, Array("nonce".utf8), m) }
    public static func H4(_ m: [UInt8]) -> [UInt8] { Hashes.sha512(context, Array("msg".utf8), m) }
    public static func H5(_ m: [UInt8]) -> [UInt8] { Hashes.sha512(context, Array("com".utf8), m) }
    public static func HDKG(_ m: [UInt8]) -> Ed25519.Scalar { hashToScalar(context, Array("dkg".utf8), m) }

    /// RFC 8032 verification by libsodium's crypto_sign_verify_detached.
    public static func isValidSignature(
        commitment: Ed25519.Point, z: Ed25519.Scalar, message: [UInt8], key: Ed25519.Point
    ) -> Bool {
        guard let signature = try? serializeSignature(commitment: commitment, z: z),
              let encodedKey = try? key.rawRepresentationExcludingIdentity()
        else { return false }
        return Ed25519.isValidSignature(signature, for: message, publicKey: encodedKey)
    }
}
