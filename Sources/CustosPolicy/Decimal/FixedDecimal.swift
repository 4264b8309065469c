/// An exact fixed-point decimal with 18 fractional digits, backed by `Int128`.
///
/// Policy evaluation must give the same answer on every signer node, so it never uses floating
/// point. Every operation is checked: one that would overflow (|value| ≥ about 1.7 × 10²⁰) or
/// divide by zero returns `nil` rather than trapping or wrapping, and callers turn that into an
/// evaluation error, which fails closed. Multiplication and division truncate toward zero at
/// the 18th fractional digit, the same on every platform.
public struct FixedDecimal: Sendable, Hashable, Comparable, Codable {
    /// Number of fractional digits.
    public static let scale = 18
    /// 10^scale, the raw value of 1.
    public static let one: Int128 = 1_000_000_000_000_000_000

    /// The value times 10^18.
    public let raw: Int128

    public init(raw: Int128) { self.raw = raw }

    /// An integer value; `nil` when it does not fit.
    public init?(_ integer: Int) {
        let (value, overflow) = Int128(integer).multipliedReportingOverflow(by: Self.one)
        guard !overflow else { return nil }
        raw = value
    }

    public static let zero = FixedDecimal(raw: 0)

    public static func < (lhs: FixedDecimal, rhs: FixedDecimal) -> Bool { lhs.raw < rhs.raw }

    /// Parses `[-]digits[.digits]`, optionally with `_` or `,` digit separators between digits
    /// (`5_000_000`, `5,000,000`). At most 18 fractional digits; no exponent, no spaces.
    /// Returns `nil` for anything else or for a value out of range.
    public init?(parsing text: some StringProtocol) {
        var utf8 = Substring(text).utf8[...]
        guard !utf8.isEmpty, utf8.count <= 64 else { return nil }
        var negative = false
        if utf8.first == UInt8(ascii: "-") {
            negative = true
            utf8 = utf8.dropFirst()
        }
        var integerPart: Int128 = 0
        var fraction: Int128 = 0
        var fractionDigits = 0
        var sawDigit = false
        var inFraction = false
        var previousWasDigit = false
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int128(byte - UInt8(ascii: "0"))
                if inFraction {
                    fractionDigits += 1
                    guard fractionDigits <= Self.scale else { return nil }
                    fraction = fraction * 10 + digit
                } else {
                    let (m, o1) = integerPart.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(digit)
                    guard !o1, !o2 else { return nil }
                    integerPart = a
                }
                sawDigit = true
                previousWasDigit = true
            case UInt8(ascii: "_"), UInt8(ascii: ","):
                guard previousWasDigit, !inFraction else { return nil }
                previousWasDigit = false
            case UInt8(ascii: "."):
                guard previousWasDigit, !inFraction else { return nil }
                inFraction = true
                previousWasDigit = false
            default:
                return nil
            }
        }
        guard sawDigit, previousWasDigit else { return nil }
        var fractionRaw = fraction
        for _ in fractionDigits..<Self.scale { fractionRaw *= 10 }
        let (whole, o1) = integerPart.multipliedReportingOverflow(by: Self.one)
        let (sum, o2) = whole.addingReportingOverflow(fractionRaw)
        guard !o1, !o2 else { return nil }
        raw = negative ? -sum : sum
    }

    public func adding(_ other: FixedDecimal) -> FixedDecimal? {
        let (r, o) = raw.addingReportingOverflow(other.raw)
        return o ? nil : FixedDecimal(raw: r)
    }

    public func subtracting(_ other: FixedDecimal) -> FixedDecimal? {
        let (r, o) = raw.subtractingReportingOverflow(other.raw)
        return o ? nil : FixedDecimal(raw: r)
    }

    /// The product, truncated toward zero to 18 fractional digits; `nil` on overflow.
    public func multiplied(by other: FixedDecimal) -> FixedDecimal? {
        let negative = (raw < 0) != (other.raw < 0)
        let a = raw.magnitude
        let b = other.raw.magnitude
        let (high, low) = a.multipliedFullWidth(by: b)
        let divisor = UInt128(Self.one)
        guard high < divisor else { return nil }
        let (quotient, _) = divisor.dividingFullWidth((high, low))
        return Self.signed(quotient, negative: negative)
    }

    /// The quotient, truncated toward zero to 18 fractional digits; `nil` on overflow or when
    /// `other` is zero.
    public func divided(by other: FixedDecimal) -> FixedDecimal? {
        guard other.raw != 0 else { return nil }
        let negative = (raw < 0) != (other.raw < 0)
        let a = raw.magnitude
        let b = other.raw.magnitude
        let (high, low) = a.multipliedFullWidth(by: UInt128(Self.one))
        guard high < b else { return nil }
        let (quotient, _) = b.dividingFullWidth((high, low))
        return Self.signed(quotient, negative: negative)
    }

    /// The remainder of truncated division (sign of the dividend); `nil` when `other` is zero.
    public func remainder(dividingBy other: FixedDecimal) -> FixedDecimal? {
        guard other.raw != 0 else { return nil }
        let (r, o) = raw.remainderReportingOverflow(dividingBy: other.raw)
        return o ? nil : FixedDecimal(raw: r)
    }

    public func negated() -> FixedDecimal? {
        raw == .min ? nil : FixedDecimal(raw: -raw)
    }

    /// Whether the value has no fractional part.
    public var isInteger: Bool { raw % Self.one == 0 }

    /// The integer part when it fits in `Int` (truncated toward zero).
    public var integerValue: Int? { Int(exactly: raw / Self.one) }

    private static func signed(_ magnitude: UInt128, negative: Bool) -> FixedDecimal? {
        if negative {
            guard magnitude <= UInt128(Int128.max) + 1 else { return nil }
            return FixedDecimal(raw: magnitude == UInt128(Int128.max) + 1 ? .min : -Int128(magnitude))
        }
        guard magnitude <= UInt128(Int128.max) else { return nil }
        return FixedDecimal(raw: Int128(magnitude))
    }
}

extension FixedDecimal: CustomStringConvertible {
    /// Plain notation without trailing fractional zeros: `5000000`, `0.05`, `-12.5`.
    public var description: String {
        let magnitude = raw.magnitude
        let whole = magnitude / UInt128(Self.one)
        var fraction = magnitude % UInt128(Self.one)
        var text = raw < 0 ? "-" : ""
        text += String(whole)
        if fraction != 0 {
            var digits = Self.scale
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            let f = String(fraction)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }

    /// Thousands-grouped notation for people: `5,250,000`, `1,000.5`.
    public var grouped: String {
        let plain = description
        let negative = plain.hasPrefix("-")
        let body = negative ? String(plain.dropFirst()) : plain
        let parts = body.split(separator: ".", maxSplits: 1)
        let integer = Array(parts[0])
        var out: [Character] = []
        for (index, ch) in integer.enumerated() {
            if index > 0, (integer.count - index) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        var text = (negative ? "-" : "") + String(out)
        if parts.count == 2 { text += "." + parts[1] }
        return text
    }
}
