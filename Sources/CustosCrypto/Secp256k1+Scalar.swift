import CustosCore

extension Secp256k1 {
    /// An integer modulo the secp256k1 group order
    /// n = 0xFFFFFFFF FFFFFFFF FFFFFFFF FFFFFFFE BAAEDCE6 AF48A03B BFD25E8C D0364141.
    ///
    /// Every operation runs in time independent of the values involved: no branch and no
    /// memory index depends on a scalar's bits, and reductions use masked selects. Values are
    /// kept in Montgomery form (x·2²⁵⁶ mod n) in four 64-bit limbs, least significant first.
    /// Scalars are often secret (shares, nonces), so `description` never shows the value;
    /// public scalars (identifiers, challenges) are printed through `rawRepresentation`.
    public struct Scalar: Sendable, CustomStringConvertible {
        /// Montgomery form, fully reduced (< n).
        @usableFromInline var mont: InlineArray<4, UInt64>

        @inlinable init(montgomery: InlineArray<4, UInt64>) { self.mont = montgomery }

        public static let byteCount = 32

        public static let zero = Scalar(montgomery: [0, 0, 0, 0])
        public static let one = Scalar(montgomery: Constants.rModN)

        /// The value `value` (always < n).
        public init(_ value: UInt64) {
            self = Scalar(reducing: [value, 0, 0, 0])
        }

        /// Decodes a 32-byte big-endian integer; values ≥ n are refused, as SEC 1 and
        /// RFC 9591 (DeserializeScalar) require.
        public init(rawRepresentation bytes: some Collection<UInt8>) throws(CryptoError) {
            guard bytes.count == 32 else {
                throw CryptoError(.invalidLength, "a secp256k1 scalar has 32 bytes, not \(bytes.count)")
            }
            let limbs = Scalar.limbsBigEndian(Array(bytes), offset: 0)
            let (_, borrow) = Scalar.subtractN(limbs)
            guard borrow == 1 else {
                throw CryptoError(.outOfRange, "secp256k1 scalar is not below the group order")
            }
            self = Scalar(reducing: limbs)
        }

        /// Reduces a 32-, 48- or 64-byte big-endian integer modulo n (hash-to-field, RFC 9380
        /// §5.2 with L = 48; 64 bytes for wide hash outputs). The bias is below 2⁻¹²⁸ for 48
        /// and 64 bytes.
        public init(reducingBigEndian bytes: some Collection<UInt8>) {
            let raw = Array(bytes)
            precondition(raw.count <= 64, "at most 64 bytes can be reduced")
            var wide = [UInt8](repeating: 0, count: 64 - raw.count)
            wide.append(contentsOf: raw)
            let high = Scalar.limbsBigEndian(wide, offset: 0)
            let low = Scalar.limbsBigEndian(wide, offset: 32)
            // value = high·2²⁵⁶ + low. In Montgomery form: high·R·R = montmul(high, R³),
            // low·R = montmul(low, R²). Both products are below n·R, so one reduction suffices.
            let highPart = Scalar.montgomeryMultiply(high, Constants.r3ModN)
            let lowPart = Scalar.montgomeryMultiply(low, Constants.r2ModN)
            self = Scalar(montgomery: highPart) + Scalar(montgomery: lowPart)
        }

        /// Converts any 256-bit integer (possibly ≥ n) into Montgomery form, reduced.
        init(reducing limbs: InlineArray<4, UInt64>) {
            self.mont = Scalar.montgomeryMultiply(limbs, Constants.r2ModN)
        }

        /// Big-endian, 32 bytes (SEC 1, RFC 9591 SerializeScalar).
        public var rawRepresentation: [UInt8] {
            let plain = Scalar.montgomeryMultiply(mont, [1, 0, 0, 0])
            var out = [UInt8](repeating: 0, count: 32)
            for limb in 0..<4 {
                for byte in 0..<8 {
                    out[31 - (limb * 8 + byte)] = UInt8(truncatingIfNeeded: plain[limb] >> (8 * byte))
                }
            }
            return out
        }

        /// Writes the 32 big-endian bytes into `buffer` without allocating.
        @inlinable
        public func withRawRepresentation<R>(_ body: (UnsafePointer<UInt8>) throws -> R) rethrows -> R {
            let plain = Scalar.montgomeryMultiply(mont, [1, 0, 0, 0])
            var bytes = InlineArray<32, UInt8>(repeating: 0)
            for limb in 0..<4 {
                for byte in 0..<8 {
                    bytes[31 - (limb * 8 + byte)] = UInt8(truncatingIfNeeded: plain[limb] >> (8 * byte))
                }
            }
            return try withUnsafePointer(to: &bytes) { pointer in
                try pointer.withMemoryRebound(to: UInt8.self, capacity: 32) { try body($0) }
            }
        }

        /// A uniformly random scalar in [1, n) from the operating system's generator.
        public static func random() -> Scalar {
            while true {
                var bytes = SecureRandom.bytes(count: 64)
                let s = Scalar(reducingBigEndian: bytes)
                Sodium.memzero(&bytes)
                if !s.isZero { return s }
            }
        }

        /// Constant-time test for zero.
        public var isZero: Bool {
            (mont[0] | mont[1] | mont[2] | mont[3]) == 0
        }

        public var description: String { "Secp256k1.Scalar(redacted)" }

        // MARK: Arithmetic

        @inlinable
        public static func + (a: Scalar, b: Scalar) -> Scalar {
            var sum = InlineArray<4, UInt64>(repeating: 0)
            var carry: UInt64 = 0
            for i in 0..<4 {
                let (s1, c1) = a.mont[i].addingReportingOverflow(b.mont[i])
                let (s2, c2) = s1.addingReportingOverflow(carry)
                sum[i] = s2
                carry = (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
            }
            // sum < 2n; subtract n when the sum overflowed or is ≥ n.
            let (reduced, borrow) = subtractN(sum)
            let useReduced = carry | (1 &- borrow)  // 1 when carry = 1 or no borrow
            return Scalar(montgomery: select(useReduced, reduced, sum))
        }

        @inlinable
        public static func - (a: Scalar, b: Scalar) -> Scalar {
            var diff = InlineArray<4, UInt64>(repeating: 0)
            var borrow: UInt64 = 0
            for i in 0..<4 {
                let (d1, b1) = a.mont[i].subtractingReportingOverflow(b.mont[i])
                let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                diff[i] = d2
                borrow = (b1 ? 1 : 0) | (b2 ? 1 : 0)
            }
            // On borrow, add n back (masked).
            let mask = 0 &- borrow
            var carry: UInt64 = 0
            for i in 0..<4 {
                let (s1, c1) = diff[i].addingReportingOverflow(Constants.n[i] & mask)
                let (s2, c2) = s1.addingReportingOverflow(carry)
                diff[i] = s2
                carry = (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
            }
            return Scalar(montgomery: diff)
        }

        @inlinable
        public static prefix func - (a: Scalar) -> Scalar { Scalar.zero - a }

        @inlinable
        public static func * (a: Scalar, b: Scalar) -> Scalar {
            Scalar(montgomery: montgomeryMultiply(a.mont, b.mont))
        }

        public static func += (a: inout Scalar, b: Scalar) { a = a + b }
        public static func -= (a: inout Scalar, b: Scalar) { a = a - b }
        public static func *= (a: inout Scalar, b: Scalar) { a = a * b }

        /// The multiplicative inverse, by Fermat's little theorem (a^(n−2)); the exponent is
        /// public and fixed, so the sequence of operations does not depend on `self`.
        public func inverse() throws(CryptoError) -> Scalar {
            guard !isZero else { throw CryptoError(.zeroScalar, "zero has no inverse") }
            var result = Scalar.one
            for limb in (0..<4).reversed() {
                let word = Constants.nMinus2[limb]
                for bit in (0..<64).reversed() {
                    result = result * result
                    if (word >> UInt64(bit)) & 1 == 1 { result = result * self }
                }
            }
            return result
        }

        // MARK: Limb helpers

        /// Constant-time: returns `a` when `condition` is 1, `b` when it is 0.
        @inlinable
        static func select(
            _ condition: UInt64, _ a: InlineArray<4, UInt64>, _ b: InlineArray<4, UInt64>
        ) -> InlineArray<4, UInt64> {
            let mask = 0 &- condition
            var out = InlineArray<4, UInt64>(repeating: 0)
            for i in 0..<4 { out[i] = (a[i] & mask) | (b[i] & ~mask) }
            return out
        }

        /// `x − n` and the final borrow (1 when x < n).
        @inlinable
        static func subtractN(_ x: InlineArray<4, UInt64>) -> (InlineArray<4, UInt64>, UInt64) {
            var out = InlineArray<4, UInt64>(repeating: 0)
            var borrow: UInt64 = 0
            for i in 0..<4 {
                let (d1, b1) = x[i].subtractingReportingOverflow(Constants.n[i])
                let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                out[i] = d2
                borrow = (b1 ? 1 : 0) | (b2 ? 1 : 0)
            }
            return (out, borrow)
        }

        /// Montgomery multiplication a·b·2⁻²⁵⁶ mod n (coarsely integrated operand scanning,
        /// unrolled). Requires a·b < n·2²⁵⁶, which holds whenever one operand is below n.
        @inlinable
        static func montgomeryMultiply(
            _ a: InlineArray<4, UInt64>, _ b: InlineArray<4, UInt64>
        ) -> InlineArray<4, UInt64> {
            let (a0, a1, a2, a3) = (a[0], a[1], a[2], a[3])
            let (n0, n1, n2, n3) = (Constants.n[0], Constants.n[1], Constants.n[2], Constants.n[3])
            var (t0, t1, t2, t3, t4): (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
            for i in 0..<4 {
                let bi = b[i]
                var c: UInt64
                (t0, c) = mac(t0, a0, bi, 0)
                (t1, c) = mac(t1, a1, bi, c)
                (t2, c) = mac(t2, a2, bi, c)
                (t3, c) = mac(t3, a3, bi, c)
                let (s4, o4) = t4.addingReportingOverflow(c)
                let t5: UInt64 = o4 ? 1 : 0
                // Add m·n with m chosen so the lowest limb vanishes, then shift down one limb.
                let m = t0 &* Constants.nPrime
                (_, c) = mac(t0, m, n0, 0)
                (t0, c) = mac(t1, m, n1, c)
                (t1, c) = mac(t2, m, n2, c)
                (t2, c) = mac(t3, m, n3, c)
                let (s3, o3) = s4.addingReportingOverflow(c)
                t3 = s3
                t4 = t5 &+ (o3 ? 1 : 0)
            }
            let result: InlineArray<4, UInt64> = [t0, t1, t2, t3]
            let (reduced, borrow) = subtractN(result)
            let useReduced = t4 | (1 &- borrow)
            return select(useReduced, reduced, result)
        }

        /// t + a·b + carry as (low word, high word); cannot overflow 128 bits.
        @inlinable @inline(__always)
        static func mac(_ t: UInt64, _ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
            let (hi, lo) = a.multipliedFullWidth(by: b)
            let (s1, c1) = lo.addingReportingOverflow(t)
            let (s2, c2) = s1.addingReportingOverflow(carry)
            return (s2, hi &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0))
        }

        static func limbsBigEndian(_ bytes: [UInt8], offset: Int) -> InlineArray<4, UInt64> {
            var limbs = InlineArray<4, UInt64>(repeating: 0)
            for limb in 0..<4 {
                var word: UInt64 = 0
                for byte in 0..<8 {
                    word = word << 8 | UInt64(bytes[offset + 31 - (limb * 8 + 7 - byte)])
                }
                limbs[limb] = word
            }
            return limbs
        }

        @usableFromInline
        enum Constants {
            @usableFromInline static let n: InlineArray<4, UInt64> = [
                0xBFD2_5E8C_D036_4141, 0xBAAE_DCE6_AF48_A03B, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF,
            ]
            static let nMinus2: InlineArray<4, UInt64> = [
                0xBFD2_5E8C_D036_413F, 0xBAAE_DCE6_AF48_A03B, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF,
            ]
            /// −n⁻¹ mod 2⁶⁴.
            @usableFromInline static let nPrime: UInt64 = 0x4B0D_FF66_5588_B13F
            /// 2²⁵⁶ mod n: Montgomery form of 1.
            static let rModN: InlineArray<4, UInt64> = [
                0x402D_A173_2FC9_BEBF, 0x4551_2319_50B7_5FC4, 0x0000_0000_0000_0001, 0x0000_0000_0000_0000,
            ]
            static let r2ModN: InlineArray<4, UInt64> = [
                0x896C_F214_67D7_D140, 0x7414_96C2_0E7C_F878, 0xE697_F5E4_5BCD_07C6, 0x9D67_1CD5_81C6_9BC5,
            ]
            static let r3ModN: InlineArray<4, UInt64> = [
                0x7BC0_CFE0_E9FF_41ED, 0x0017_6484_44D4_322C, 0xB1B3_1347_F1D0_B2DA, 0x555D_800C_18EF_116D,
            ]
        }
    }
}

extension Secp256k1.Scalar: Equatable {
    /// Constant-time comparison.
    public static func == (a: Secp256k1.Scalar, b: Secp256k1.Scalar) -> Bool {
        var diff: UInt64 = 0
        for i in 0..<4 { diff |= a.mont[i] ^ b.mont[i] }
        return diff == 0
    }
}
