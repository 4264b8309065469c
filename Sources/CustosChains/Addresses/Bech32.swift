import CustosCore

/// Bech32 (BIP-173) and Bech32m (BIP-350) strings: a human-readable part, the separator `1`,
/// 5-bit data symbols and a six-symbol BCH checksum whose final constant tells the two
/// variants apart. Pure; no string is both valid Bech32 and valid Bech32m.
public enum Bech32 {
    public enum Variant: Sendable, Hashable {
        /// BIP-173: segwit version 0.
        case bech32
        /// BIP-350: segwit version 1 and above.
        case bech32m

        var constant: UInt32 { self == .bech32 ? 1 : 0x2bc8_30a3 }
    }

    /// BIP-173: a string has at most 90 characters.
    public static let maximumLength = 90

    static let alphabet = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)

    /// The string for `hrp` (lower-case ASCII 33…126) and `data` (5-bit values).
    public static func encode(hrp: String, data: [UInt8], variant: Variant) -> String {
        let prefix = Array(hrp.utf8)
        let residue = polymod(expand(prefix) + data + [0, 0, 0, 0, 0, 0]) ^ variant.constant
        let checksum = (0..<6).map { UInt8((residue >> (5 * (5 - UInt32($0)))) & 31) }
        return String(decoding: prefix + [UInt8(ascii: "1")] + (data + checksum).map { alphabet[Int($0)] }, as: UTF8.self)
    }

    /// Decodes a string of either variant: the human-readable part (lower-case), the data
    /// symbols without the checksum, and which variant's checksum matched. Refuses mixed case,
    /// characters outside 33…126, more than `maximumLength` characters, an empty human-readable
    /// part and a checksum of neither variant.
    public static func decode(_ text: String) throws(AddressError) -> (hrp: String, data: [UInt8], variant: Variant) {
        let raw = Array(text.utf8)
        guard raw.count <= maximumLength else {
            throw AddressError(.invalidEncoding, "a Bech32 string has at most \(maximumLength) characters, not \(raw.count)")
        }
        guard raw.allSatisfy({ (33...126).contains($0) }) else {
            throw AddressError(.invalidEncoding, "a Bech32 string has only ASCII characters 33 to 126")
        }
        let hasLower = raw.contains { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
        let hasUpper = raw.contains { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        guard !(hasLower && hasUpper) else { throw AddressError(.invalidEncoding, "a Bech32 string is not of mixed case") }
        let lower = raw.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }
        guard let separator = lower.lastIndex(of: UInt8(ascii: "1")) else {
            throw AddressError(.invalidEncoding, "a Bech32 string has the separator 1")
        }
        guard separator >= 1 else { throw AddressError(.invalidEncoding, "the human-readable part is empty") }
        guard lower.count - separator - 1 >= 6 else { throw AddressError(.invalidEncoding, "the checksum has fewer than 6 characters") }
        var data: [UInt8] = []
        for c in lower[(separator + 1)...] {
            guard let value = alphabet.firstIndex(of: c) else {
                throw AddressError(.invalidEncoding, "\"\(Character(Unicode.Scalar(c)))\" is not a Bech32 data character")
            }
            data.append(UInt8(value))
        }
        let hrp = Array(lower[..<separator])
        let variant: Variant
        switch polymod(expand(hrp) + data) {
        case Variant.bech32.constant: variant = .bech32
        case Variant.bech32m.constant: variant = .bech32m
        default: throw AddressError(.invalidChecksum, "the Bech32 checksum does not match")
        }
        return (String(decoding: hrp, as: UTF8.self), Array(data.dropLast(6)), variant)
    }

    /// Regroups `data` from `from`-bit to `to`-bit values. Encoding (`pad`) zero-fills the last
    /// group; decoding refuses a leftover of `from` bits or more, or one that is not zero.
    static func regroup(_ data: [UInt8], from: Int, to: Int, pad: Bool) throws(AddressError) -> [UInt8] {
        var accumulator: UInt32 = 0
        var bits = 0
        var out: [UInt8] = []
        let mask = UInt32(1 << to) - 1
        for value in data {
            guard Int(value) >> from == 0 else { throw AddressError(.invalidEncoding, "a value does not fit in \(from) bits") }
            accumulator = (accumulator << UInt32(from)) | UInt32(value)
            bits += from
            while bits >= to {
                bits -= to
                out.append(UInt8((accumulator >> UInt32(bits)) & mask))
            }
        }
        if pad {
            if bits > 0 { out.append(UInt8((accumulator << UInt32(to - bits)) & mask)) }
        } else if bits >= from || (accumulator << UInt32(to - bits)) & mask != 0 {
            throw AddressError(.invalidEncoding, "more than \(from - 1) bits of padding, or padding that is not zero")
        }
        return out
    }

    /// BIP-173's checksum polynomial over GF(32).
    private static func polymod(_ values: [UInt8]) -> UInt32 {
        let generators: [UInt32] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3]
        var checksum: UInt32 = 1
        for value in values {
            let top = checksum >> 25
            checksum = ((checksum & 0x1ff_ffff) << 5) ^ UInt32(value)
            for i in 0..<5 where (top >> UInt32(i)) & 1 == 1 { checksum ^= generators[i] }
        }
        return checksum
    }

    private static func expand(_ hrp: [UInt8]) -> [UInt8] { hrp.map { $0 >> 5 } + [0] + hrp.map { $0 & 31 } }
}
