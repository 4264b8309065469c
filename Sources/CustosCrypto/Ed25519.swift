import CSodium

/// Namespace for edwards25519: scalars mod ℓ and points of the prime-order subgroup, both
/// through libsodium (constant-time scalar arithmetic and scalar multiplication).
public enum Ed25519 {
    /// ℓ = 2²⁵² + 27742317777372353535851937790883648493, little-endian.
    static let order: [UInt8] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ]

    /// Verifies a plain Ed25519 signature (RFC 8032) with libsodium's
    /// `crypto_sign_verify_detached`.
    public static func isValidSignature(
        _ signature: some Collection<UInt8>, for message: some Collection<UInt8>,
        publicKey: some Collection<UInt8>
    ) -> Bool {
        precondition(Sodium.ready)
        let sig = Array(signature)
        let key = Array(publicKey)
        let msg = Array(message)
        guard sig.count == 64, key.count == 32 else { return false }
        return crypto_sign_verify_detached(sig, msg, UInt64(msg.count), key) == 0
    }
}

/// 32 bytes held inline, passed to C by pointer.
@usableFromInline
struct Bytes32: Sendable {
    @usableFromInline var bytes: InlineArray<32, UInt8>

    @inlinable init() { bytes = InlineArray(repeating: 0) }

    init(_ array: [UInt8]) {
        precondition(array.count == 32)
        bytes = InlineArray(repeating: 0)
        for i in 0..<32 { bytes[i] = array[i] }
    }

    var array: [UInt8] { (0..<32).map { bytes[$0] } }

    @inlinable
    func withPointer<R>(_ body: (UnsafePointer<UInt8>) throws -> R) rethrows -> R {
        var copy = bytes
        return try withUnsafePointer(to: &copy) { p in
            try p.withMemoryRebound(to: UInt8.self, capacity: 32) { try body($0) }
        }
    }

    @inlinable
    mutating func withMutablePointer<R>(_ body: (UnsafeMutablePointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeMutablePointer(to: &bytes) { p in
            try p.withMemoryRebound(to: UInt8.self, capacity: 32) { try body($0) }
        }
    }

    /// Constant-time equality.
    @inlinable
    func constantTimeEquals(_ other: Bytes32) -> Bool {
        var diff: UInt8 = 0
        for i in 0..<32 { diff |= bytes[i] ^ other.bytes[i] }
        return diff == 0
    }

    @inlinable
    var isZero: Bool {
        var acc: UInt8 = 0
        for i in 0..<32 { acc |= bytes[i] }
        return acc == 0
    }
}
