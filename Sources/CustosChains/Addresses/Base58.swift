import CustosCore

/// Base58 in the Bitcoin alphabet (no 0, O, I, l), as Solana spells public keys and
/// signatures: each leading zero byte is a `1`, the rest is the big-endian number in base 58.
/// No checksum (Base58Check adds one; it is not used here).
public enum Base58 {
    static let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    /// Decoding is quadratic in the length: longer text is refused.
    public static let maximumLength = 256

    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        // Little-endian base-58 digits of the number after the leading zeros.
        var digits: [UInt8] = []
        for byte in bytes.dropFirst(zeros) {
            var carry = Int(byte)
            for i in digits.indices {
                carry += Int(digits[i]) << 8
                digits[i] = UInt8(carry % 58)
                carry /= 58
            }
            while carry > 0 {
                digits.append(UInt8(carry % 58))
                carry /= 58
            }
        }
        let text = [UInt8](repeating: alphabet[0], count: zeros) + digits.reversed().map { alphabet[Int($0)] }
        return String(decoding: text, as: UTF8.self)
    }

    /// Refuses characters outside the alphabet and input longer than `maximumLength`.
    public static func decode(_ text: String) throws(AddressError) -> [UInt8] {
        let raw = Array(text.utf8)
        guard raw.count <= maximumLength else {
            throw AddressError(.invalidEncoding, "more than \(maximumLength) Base58 characters")
        }
        let zeros = raw.prefix { $0 == alphabet[0] }.count
        // Little-endian bytes of the number after the leading ones.
        var bytes: [UInt8] = []
        for c in raw.dropFirst(zeros) {
            guard let value = alphabet.firstIndex(of: c) else { throw AddressError(.invalidEncoding, "not a Base58 character") }
            var carry = value
            for i in bytes.indices {
                carry += Int(bytes[i]) * 58
                bytes[i] = UInt8(carry & 0xff)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xff))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}
