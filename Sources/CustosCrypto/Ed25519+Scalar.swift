import CSodium
import CustosCore

extension Ed25519 {
    /// An integer modulo ℓ, the order of the edwards25519 prime-order subgroup, in the
    /// 32-byte little-endian encoding of RFC 8032. Arithmetic is libsodium's constant-time
    /// `crypto_core_ed25519_scalar_*`. The value is never shown by `description`.
    public struct Scalar: Sendable, CustomStringConvertible {
        @usableFromInline var value: Bytes32

        @usableFromInline init(value: Bytes32) { self.value = value }

        public static let byteCount = 32
        public static let zero = Scalar(value: Bytes32())
        public static let one = Scalar(1)

        public init(_ small: UInt64) {
            var b = [UInt8](repeating: 0, count: 32)
            for i in 0..<8 { b[i] = UInt8(truncatingIfNeeded: small >> (8 * UInt64(i))) }
            value = Bytes32(b)
        }

        /// Decodes 32 little-endian bytes; values ≥ ℓ are refused (RFC 9591 DeserializeScalar).
        public init(rawRepresentation bytes: some Collection<UInt8>) throws(CryptoError) {
            let raw = Array(bytes)
            guard raw.count == 32 else {
                throw CryptoError(.invalidLength, "an Ed25519 scalar has 32 bytes, not \(raw.count)")
            }
            // Constant-time raw < ℓ: subtract ℓ and look at the final borrow.
            var borrow: Int = 0
            for i in 0..<32 {
                borrow = (Int(raw[i]) - Int(Ed25519.order[i]) - borrow) >> 8 & 1
            }
            guard borrow == 1 else {
                throw CryptoError(.outOfRange, "Ed25519 scalar is not below the group order")
            }
            value = Bytes32(raw)
        }

        /// Reduces a 64-byte little-endian integer modulo ℓ (RFC 8032 hash to scalar). Shorter
        /// input is zero-extended.
        public init(reducingLittleEndian bytes: some Collection<UInt8>) {
            precondition(Sodium.ready)
            var wide = Array(bytes)
            precondition(wide.count <= 64, "at most 64 bytes can be reduced")
            wide += [UInt8](repeating: 0, count: 64 - wide.count)
            var out = Bytes32()
            out.withMutablePointer { crypto_core_ed25519_scalar_reduce($0, wide) }
            Sodium.memzero(&wide)
            value = out
        }

        public var rawRepresentation: [UInt8] { value.array }

        /// A uniformly random nonzero scalar.
        public static func random() -> Scalar {
            precondition(Sodium.ready)
            var out = Bytes32()
            out.withMutablePointer { crypto_core_ed25519_scalar_random($0) }
            return Scalar(value: out)
        }

        public var isZero: Bool { value.isZero }

        public var description: String { "Ed25519.Scalar(redacted)" }

        @inlinable
        static func binary(
            _ a: Scalar, _ b: Scalar,
            _ op: (UnsafeMutablePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>) -> Void
        ) -> Scalar {
            var out = Bytes32()
            a.value.withPointer { pa in
                b.value.withPointer { pb in out.withMutablePointer { op($0, pa, pb) } }
            }
            return Scalar(value: out)
        }

        public static func + (a: Scalar, b: Scalar) -> Scalar {
            binary(a, b) { crypto_core_ed25519_scalar_add($0, $1, $2) }
        }

        public static func - (a: Scalar, b: Scalar) -> Scalar {
            binary(a, b) { crypto_core_ed25519_scalar_sub($0, $1, $2) }
        }

        public static func * (a: Scalar, b: Scalar) -> Scalar {
            binary(a, b) { crypto_core_ed25519_scalar_mul($0, $1, $2) }
        }

        public static prefix func - (a: Scalar) -> Scalar {
            var out = Bytes32()
            a.value.withPointer { pa in out.withMutablePointer { crypto_core_ed25519_scalar_negate($0, pa) } }
            return Scalar(value: out)
        }

        public static func += (a: inout Scalar, b: Scalar) { a = a + b }
        public static func -= (a: inout Scalar, b: Scalar) { a = a - b }
        public static func *= (a: inout Scalar, b: Scalar) { a = a * b }

        public func inverse() throws(CryptoError) -> Scalar {
            guard !isZero else { throw CryptoError(.zeroScalar, "zero has no inverse") }
            var out = Bytes32()
            let rc = value.withPointer { p in out.withMutablePointer { crypto_core_ed25519_scalar_invert($0, p) } }
            precondition(rc == 0, "libsodium refused to invert a nonzero scalar")
            return Scalar(value: out)
        }
    }
}

extension Ed25519.Scalar: Equatable {
    /// Constant-time comparison of canonical encodings.
    public static func == (a: Ed25519.Scalar, b: Ed25519.Scalar) -> Bool {
        a.value.constantTimeEquals(b.value)
    }
}
