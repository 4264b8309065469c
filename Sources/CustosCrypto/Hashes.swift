import Crypto

/// The hash constructions the protocols need, over swift-crypto's SHA-2.
public enum Hashes {
    public static func sha256(_ parts: [UInt8]...) -> [UInt8] { sha256(parts) }

    public static func sha256(_ parts: [[UInt8]]) -> [UInt8] {
        var h = SHA256()
        for p in parts { h.update(data: p) }
        return Array(h.finalize())
    }

    public static func sha512(_ parts: [UInt8]...) -> [UInt8] { sha512(parts) }

    public static func sha512(_ parts: [[UInt8]]) -> [UInt8] {
        var h = SHA512()
        for p in parts { h.update(data: p) }
        return Array(h.finalize())
    }

    /// HMAC-SHA512 (RFC 2104), as BIP-32 uses it.
    public static func hmacSHA512(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA512>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// BIP-340 tagged hash: SHA256(SHA256(tag) ‖ SHA256(tag) ‖ x).
    public static func tagged(_ tag: String, _ parts: [UInt8]...) -> [UInt8] {
        let tagHash = sha256(Array(tag.utf8))
        return sha256([tagHash, tagHash] + parts)
    }

    /// expand_message_xmd with SHA-256 (RFC 9380 §5.3.1): `length` uniform bytes from `message`
    /// under the domain separation tag `dst` (at most 255 bytes, as this project's tags are).
    public static func expandMessageXMDSHA256(
        _ message: [UInt8], dst: [UInt8], length: Int
    ) -> [UInt8] {
        precondition(dst.count <= 255, "domain separation tags longer than 255 bytes are not used")
        let hashBytes = 32
        let blockBytes = 64
        let ell = (length + hashBytes - 1) / hashBytes
        precondition(ell <= 255 && length <= 65535, "expand_message_xmd output too long")
        let dstPrime = dst + [UInt8(dst.count)]
        let zPad = [UInt8](repeating: 0, count: blockBytes)
        let lengthBytes: [UInt8] = [UInt8(length >> 8), UInt8(length & 0xff)]
        let b0 = sha256(zPad, message, lengthBytes, [0], dstPrime)
        var bi = sha256(b0, [1], dstPrime)
        var uniform = bi
        if ell > 1 {
            for i in 2...ell {
                let mixed = zip(b0, bi).map { $0 ^ $1 }
                bi = sha256(mixed, [UInt8(i)], dstPrime)
                uniform += bi
            }
        }
        return Array(uniform.prefix(length))
    }
}
