import CSecp256k1
import CustosCore

extension Secp256k1 {
    /// A point of the secp256k1 group (prime order, cofactor 1), including the identity.
    ///
    /// All arithmetic goes through libsecp256k1. `s * P` is constant-time in `s` (libsecp256k1's
    /// `ecmult_const`, reached through `secp256k1_ecdh`), so it is safe with secret scalars;
    /// `variableTimeMultiply` is faster (`secp256k1_ec_pubkey_tweak_mul`, wNAF) and only for
    /// public scalars: challenges, binding factors, Lagrange coefficients, identifiers.
    public struct Point: Sendable, CustomStringConvertible {
        @usableFromInline enum Storage: Sendable {
            case identity
            case point(secp256k1_pubkey)
        }
        @usableFromInline var storage: Storage

        @usableFromInline init(storage: Storage) { self.storage = storage }

        public static let identity = Point(storage: .identity)
        public static let generator = Point.generatorMultiple(.one)

        /// The compressed SEC 1 size: a parity byte and the x coordinate.
        public static let compressedByteCount = 33

        /// Decodes a compressed SEC 1 point (33 bytes, prefix 02 or 03). Refuses other
        /// lengths and prefixes, x ≥ p, x with no point on the curve, and so the identity,
        /// which has no compressed encoding (RFC 9591 DeserializeElement).
        public init(compressedRepresentation bytes: some Collection<UInt8>) throws(CryptoError) {
            let raw = Array(bytes)
            guard raw.count == 33 else {
                throw CryptoError(.invalidLength, "a compressed secp256k1 point has 33 bytes, not \(raw.count)")
            }
            guard raw[0] == 0x02 || raw[0] == 0x03 else {
                throw CryptoError(.invalidEncoding, "compressed secp256k1 point must start with 02 or 03")
            }
            var key = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_parse(Secp256k1.context, &key, raw, 33) == 1 else {
                throw CryptoError(.notOnCurve, "bytes do not encode a point on secp256k1")
            }
            storage = .point(key)
        }

        /// Decodes a BIP-340 x-only public key (32 bytes), taking the point with even y.
        public init(xOnly bytes: some Collection<UInt8>) throws(CryptoError) {
            let raw = Array(bytes)
            guard raw.count == 32 else {
                throw CryptoError(.invalidLength, "an x-only public key has 32 bytes, not \(raw.count)")
            }
            try self.init(compressedRepresentation: [0x02] + raw)
        }

        /// Compressed SEC 1 encoding; the identity has none (RFC 9591 SerializeElement).
        public func compressedRepresentation() throws(CryptoError) -> [UInt8] {
            guard case .point(var key) = storage else {
                throw CryptoError(.identity, "the identity element has no encoding")
            }
            var out = [UInt8](repeating: 0, count: 33)
            var length = 33
            guard secp256k1_ec_pubkey_serialize(
                Secp256k1.context, &out, &length, &key, UInt32(SECP256K1_EC_COMPRESSED)) == 1
            else { preconditionFailure("libsecp256k1 refused to serialize a valid point") }
            return out
        }

        /// The x coordinate (BIP-340 `bytes(P)`); the identity has none.
        public func xOnlyRepresentation() throws(CryptoError) -> [UInt8] {
            Array(try compressedRepresentation().dropFirst())
        }

        /// Whether the affine y coordinate is even (BIP-340 `has_even_y`). The identity
        /// counts as even.
        public var hasEvenY: Bool {
            guard let encoded = try? compressedRepresentation() else { return true }
            return encoded[0] == 0x02
        }

        public var isIdentity: Bool {
            if case .identity = storage { return true }
            return false
        }

        public var description: String {
            guard let encoded = try? compressedRepresentation() else { return "Secp256k1.Point(identity)" }
            return "Secp256k1.Point(\(encoded.hexString))"
        }

        // MARK: Arithmetic

        /// s·G, in constant time in `s`.
        public static func generatorMultiple(_ s: Scalar) -> Point {
            if s.isZero { return .identity }
            var key = secp256k1_pubkey()
            let ok = s.withRawRepresentation { secp256k1_ec_pubkey_create(Secp256k1.context, &key, $0) }
            precondition(ok == 1, "libsecp256k1 refused a nonzero scalar below n")
            return Point(storage: .point(key))
        }

        /// s·P, in constant time in `s` (secret scalars).
        public static func * (s: Scalar, p: Point) -> Point {
            guard case .point(var key) = p.storage, !s.isZero else { return .identity }
            // secp256k1_ecdh computes s·P with ecmult_const and hands the affine x and y to a
            // callback; this one copies them out instead of hashing them.
            var coordinates = [UInt8](repeating: 0, count: 65)
            coordinates[0] = 0x04
            let ok = s.withRawRepresentation { scalar in
                coordinates.withUnsafeMutableBufferPointer { out in
                    secp256k1_ecdh(Secp256k1.context, out.baseAddress! + 1, &key, scalar, { output, x, y, _ in
                        guard let output, let x, let y else { return 0 }
                        output.update(from: x, count: 32)
                        (output + 32).update(from: y, count: 32)
                        return 1
                    }, nil)
                }
            }
            precondition(ok == 1, "libsecp256k1 refused a nonzero scalar below n")
            var product = secp256k1_pubkey()
            let parsed = secp256k1_ec_pubkey_parse(Secp256k1.context, &product, coordinates, 65)
            precondition(parsed == 1, "libsecp256k1 returned a point it cannot parse")
            return Point(storage: .point(product))
        }

        /// s·P in time that depends on `s`: only for public scalars.
        public static func variableTimeMultiply(_ publicScalar: Scalar, _ p: Point) -> Point {
            guard case .point(var key) = p.storage, !publicScalar.isZero else { return .identity }
            let ok = publicScalar.withRawRepresentation { secp256k1_ec_pubkey_tweak_mul(Secp256k1.context, &key, $0) }
            precondition(ok == 1, "libsecp256k1 refused a nonzero scalar below n")
            return Point(storage: .point(key))
        }

        public static func + (a: Point, b: Point) -> Point {
            guard case .point(let pa) = a.storage else { return b }
            guard case .point(let pb) = b.storage else { return a }
            return sum([pa, pb])
        }

        public static prefix func - (a: Point) -> Point {
            guard case .point(var key) = a.storage else { return a }
            let ok = secp256k1_ec_pubkey_negate(Secp256k1.context, &key)
            precondition(ok == 1, "libsecp256k1 refused to negate a valid point")
            return Point(storage: .point(key))
        }

        public static func - (a: Point, b: Point) -> Point { a + (-b) }

        public static func += (a: inout Point, b: Point) { a = a + b }

        /// The sum of many points with a single normalization (one field inversion).
        public static func sum(_ points: some Sequence<Point>) -> Point {
            var keys: [secp256k1_pubkey] = []
            for p in points { if case .point(let k) = p.storage { keys.append(k) } }
            return sum(keys)
        }

        static func sum(_ keys: [secp256k1_pubkey]) -> Point {
            if keys.isEmpty { return .identity }
            if keys.count == 1 { return Point(storage: .point(keys[0])) }
            var result = secp256k1_pubkey()
            let ok: Int32 = keys.withUnsafeBufferPointer { buffer in
                withUnsafeTemporaryAllocation(
                    of: UnsafePointer<secp256k1_pubkey>?.self, capacity: buffer.count
                ) { pointers in
                    for i in 0..<buffer.count { pointers[i] = buffer.baseAddress! + i }
                    return secp256k1_ec_pubkey_combine(
                        Secp256k1.context, &result, pointers.baseAddress!, buffer.count)
                }
            }
            // With valid inputs, combine fails only when the sum is the point at infinity.
            return ok == 1 ? Point(storage: .point(result)) : .identity
        }

        /// Access to the libsecp256k1 representation for other CustosCrypto code.
        package var libraryKey: secp256k1_pubkey? {
            if case .point(let k) = storage { return k }
            return nil
        }

        package init(libraryKey: secp256k1_pubkey) { storage = .point(libraryKey) }
    }
}

extension Secp256k1.Point: Equatable {
    public static func == (a: Secp256k1.Point, b: Secp256k1.Point) -> Bool {
        switch (a.storage, b.storage) {
        case (.identity, .identity): return true
        case (.point(var ka), .point(var kb)):
            return secp256k1_ec_pubkey_cmp(Secp256k1.context, &ka, &kb) == 0
        default: return false
        }
    }
}
