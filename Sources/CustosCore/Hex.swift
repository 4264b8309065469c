extension Array where Element == UInt8 {
    /// Decodes lowercase or uppercase hex, with an optional `0x` prefix.
    public init(hex: some StringProtocol) throws(HexError) {
        var digits = Substring(hex)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard digits.utf8.count % 2 == 0 else {
            throw HexError(.invalidEncoding, "hex string has an odd number of digits")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.utf8.count / 2)
        var high: UInt8? = nil
        for (position, c) in digits.utf8.enumerated() {
            guard let v = c.hexDigitValue else {
                throw HexError(.invalidEncoding, "not a hex digit at position \(position)")
            }
            if let h = high {
                bytes.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        self = bytes
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hex, no prefix. Only for public values: secret types do not expose bytes.
    public var hexString: String {
        let table = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in self {
            out.append(table[Int(b >> 4)])
            out.append(table[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension UInt8 {
    /// The value of this ASCII byte as a hex digit (0-9, a-f, A-F), or nil if it is none.
    public var hexDigitValue: UInt8? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): self - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): self - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
