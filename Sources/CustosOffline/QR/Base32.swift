/// RFC 4648 base32 without padding: the QR parts' text. Its alphabet (A–Z, 2–7) is in the QR
/// alphanumeric mode, so a part packs 5 bits per character at 5.5 bits of code, and every QR
/// reader returns it byte for byte.
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[(buffer >> bits) & 31])
            }
            buffer &= (1 << bits) - 1
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of `text`, or nil for a character outside the alphabet, a length no encoding
    /// has, or nonzero trailing bits (so every byte string has exactly one text).
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer = 0
        var bits = 0
        for char in text.utf8 {
            let value: Int
            switch char {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = Int(char - UInt8(ascii: "A"))
            case UInt8(ascii: "2")...UInt8(ascii: "7"): value = Int(char - UInt8(ascii: "2")) + 26
            default: return nil
            }
            buffer = (buffer << 5) | value
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> bits) & 0xFF))
                buffer &= (1 << bits) - 1
            }
        }
        guard bits < 5, buffer == 0 else { return nil }
        return out
    }
}
