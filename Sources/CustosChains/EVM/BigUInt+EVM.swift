import BigInt

extension BigUInt {
    /// 2²⁵⁶ − 1, the largest EVM word.
    public static let uint256Max: BigUInt = (BigUInt(1) << 256) - 1

    /// The integer whose big-endian bytes are `bytes` (any length; leading zeros allowed).
    public init(bigEndian bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        self = array.withUnsafeBytes { BigUInt($0) }
    }

    /// Minimal big-endian bytes: empty for zero, never a leading zero (RLP's integer form).
    public var minimalBigEndianBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(words.count * 8)
        for word in words.reversed() {
            for shift in stride(from: 56, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: word >> UInt(shift)))
            }
        }
        if let first = out.firstIndex(where: { $0 != 0 }) { return Array(out[first...]) }
        return []
    }

    /// Big-endian bytes left-padded to `width`; the value must fit.
    public func bigEndianBytes(width: Int) -> [UInt8] {
        let minimal = minimalBigEndianBytes
        precondition(minimal.count <= width, "value does not fit in \(width) bytes")
        return [UInt8](repeating: 0, count: width - minimal.count) + minimal
    }
}
