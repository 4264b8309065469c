import CSodium
import CustosCore

extension Ed25519 {
    /// A point of the prime-order subgroup of edwards25519, including the identity, held in
    /// its canonical 32-byte encoding (RFC 8032 §5.1.2). Arithmetic goes through libsodium;
    /// its scalar multiplication is constant-time.
    public struct Point: Sendable, CustomStringConvertible {
        @usableFromInline var encoded: Bytes32

        init(encoded: Bytes32) { self.encoded = encoded }

        public static let byteCount = 32
        public static let identity: Point = {
            var b = [UInt8](repeating: 0, count: 32)
            b[0] = 1
            return Point(encoded: Bytes32(b))
        }()
        public static let generator = Point.generatorMultiple(.one)

        /// Decodes a point, refusing (RFC 9591 DeserializeElement for Ed25519): other lengths,
        /// non-canonical encodings, points off the curve, points of small order, points outside
        /// the prime-order subgroup, and the identity.
        public init(rawRepresentation bytes: some Collection<UInt8>) throws(CryptoError) {
            precondition(Sodium.ready)
            let raw = Array(bytes)
            guard raw.count == 32 else {
                throw CryptoError(.invalidLength, "an Ed25519 point has 32 bytes, not \(raw.count)")
            }
            let candidate = Bytes32(raw)
            if candidate.constantTimeEquals(Point.identity.encoded) {
                throw CryptoError(.identity, "the identity element is not allowed here")
            }
            guard crypto_core_ed25519_is_valid_point(raw) == 1 else {
                throw CryptoError(
                    .invalidEncoding,
                    "bytes are not the canonical encoding of a point of the Ed25519 prime-order subgroup "
                        + "(non-canonical, off the curve, or of small order)")
            }
            encoded = candidate
        }

        /// The canonical encoding; the identity has none here (RFC 9591 SerializeElement).
        public func rawRepresentationExcludingIdentity() throws(CryptoError) -> [UInt8] {
            guard !isIdentity else { throw CryptoError(.identity, "the identity element has no encoding") }
            return encoded.array
        }

        public var isIdentity: Bool { encoded.constantTimeEquals(Point.identity.encoded) }

        public var description: String {
            isIdentity ? "Ed25519.Point(identity)" : "Ed25519.Point(\(encoded.array.hexString))"
        }

        /// s·B.
        public static func generatorMultiple(_ s: Scalar) -> Point {
            precondition(Sodium.ready)
            if s.isZero { return identity }
            var out = Bytes32()
            let rc = s.value.withPointer { ps in
                out.withMutablePointer { crypto_scalarmult_ed25519_base_noclamp($0, ps) }
            }
            precondition(rc == 0, "libsodium refused a nonzero scalar below ℓ")
            return Point(encoded: out)
        }

        /// s·P.
        public static func * (s: Scalar, p: Point) -> Point {
            if s.isZero || p.isIdentity { return identity }
            var out = Bytes32()
            let rc = s.value.withPointer { ps in
                p.encoded.withPointer { pp in
                    out.withMutablePointer { crypto_scalarmult_ed25519_noclamp($0, ps, pp) }
                }
            }
            precondition(rc == 0, "libsodium refused a prime-order point and a nonzero scalar")
            return Point(encoded: out)
        }

        public static func + (a: Point, b: Point) -> Point {
            if a.isIdentity { return b }
            if b.isIdentity { return a }
            var out = Bytes32()
            let rc = a.encoded.withPointer { pa in
                b.encoded.withPointer { pb in out.withMutablePointer { crypto_core_ed25519_add($0, pa, pb) } }
            }
            precondition(rc == 0, "libsodium refused to add valid points")
            return Point(encoded: out)
        }

        public static func - (a: Point, b: Point) -> Point {
            if b.isIdentity { return a }
            var out = Bytes32()
            let rc = a.encoded.withPointer { pa in
                b.encoded.withPointer { pb in out.withMutablePointer { crypto_core_ed25519_sub($0, pa, pb) } }
            }
            precondition(rc == 0, "libsodium refused to subtract valid points")
            return Point(encoded: out)
        }

        public static prefix func - (a: Point) -> Point { identity - a }

        public static func += (a: inout Point, b: Point) { a = a + b }

        public static func sum(_ points: some Sequence<Point>) -> Point {
            points.reduce(identity, +)
        }
    }
}

extension Ed25519.Point: Equatable {
    public static func == (a: Ed25519.Point, b: Ed25519.Point) -> Bool {
        a.encoded.constantTimeEquals(b.encoded)
    }
}
