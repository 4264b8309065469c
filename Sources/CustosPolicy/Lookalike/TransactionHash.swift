/// A chain transaction's hash (32 bytes) as the watch room keeps it (review helper-54 M3): two
/// 128-bit halves inline, not a 66-character string on the heap, so that a flood record costs
/// a fixed few dozen bytes. Read from `0x` and 64 hex digits in either case; written lowercase.
public struct TransactionHash: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The first 16 bytes, big-endian.
    public let high: UInt128
    /// The last 16 bytes, big-endian.
    public let low: UInt128

    /// `text` read as `0x` and 64 hex digits, or nil when it is not that.
    public init?(hex text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 66, utf8[0] == 0x30, utf8[1] == 0x78 || utf8[1] == 0x58 else { return nil }
        var halves: [UInt128] = [0, 0]
        for (i, c) in utf8.dropFirst(2).enumerated() {
            let digit: UInt8
            switch c {
            case 0x30...0x39: digit = c - 0x30
            case 0x61...0x66: digit = c - 0x61 + 10
            case 0x41...0x46: digit = c - 0x41 + 10
            default: return nil
            }
            halves[i / 32] = halves[i / 32] << 4 | UInt128(digit)
        }
        high = halves[0]
        low = halves[1]
    }

    /// `0x` and 64 lowercase hex digits.
    public var hex: String {
        func half(_ v: UInt128) -> String {
            let digits = String(v, radix: 16)
            return String(repeating: "0", count: 32 - digits.utf8.count) + digits
        }
        return "0x" + half(high) + half(low)
    }

    public var description: String { hex }

    /// In the order of their hex text.
    public static func < (a: Self, b: Self) -> Bool { (a.high, a.low) < (b.high, b.low) }
}
