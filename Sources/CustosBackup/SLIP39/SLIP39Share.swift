import CustosCore
import CustosCrypto

/// One SLIP-39 share: the fields of SLIP-0039 "Format of the share mnemonic" and its share
/// value, read from and written as a mnemonic. Thresholds and counts are the actual values
/// (1 to 16), indices count from 0, as the wire fields do. The value never prints:
/// `description` shows the share's place in its set only.
public struct SLIP39Share: Sendable, CustomStringConvertible {
    /// The random 15-bit identifier every share of one set carries.
    public let identifier: UInt16
    /// *ext*: the identifier is not part of the encryption's salt, so the set can be extended.
    public let extendable: Bool
    /// *e*: the encryption runs 10000 × 2^e PBKDF2 iterations in all.
    public let iterationExponent: UInt8
    public let groupIndex: UInt8
    public let groupThreshold: UInt8
    public let groupCount: UInt8
    public let memberIndex: UInt8
    public let memberThreshold: UInt8
    /// The share value, as many bytes as the master secret.
    let value: SecretBytes

    init(identifier: UInt16, extendable: Bool, iterationExponent: UInt8, groupIndex: UInt8, groupThreshold: UInt8,
         groupCount: UInt8, memberIndex: UInt8, memberThreshold: UInt8, value: SecretBytes) {
        self.identifier = identifier
        self.extendable = extendable
        self.iterationExponent = iterationExponent
        self.groupIndex = groupIndex
        self.groupThreshold = groupThreshold
        self.groupCount = groupCount
        self.memberIndex = memberIndex
        self.memberThreshold = memberThreshold
        self.value = value
    }

    /// Words the identifier, flag, exponent, group and member fields take (2 + 2), and the checksum (3).
    static let headerWords = 4
    static let checksumWords = 3
    /// The shortest mnemonic: a 128-bit value padded to 130 bits (13 words) and 7 more.
    public static let minimumWords = headerWords + 13 + checksumWords

    /// Reads a mnemonic (words separated by white space, any case). Refuses a word not in the
    /// list (naming its position), too few words or a length no share value fits, a bad
    /// checksum, nonzero padding, and a group threshold above the group count.
    public init(mnemonic: String) throws(BackupError) {
        let words = mnemonic.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        var indices: [Int] = []
        indices.reserveCapacity(words.count)
        for (position, word) in words.enumerated() {
            guard let index = SLIP39.wordIndex(String(word)) else {
                throw BackupError(.unknownWord, "word \(position + 1) is not in the SLIP-39 word list")
            }
            indices.append(index)
        }
        guard indices.count >= Self.minimumWords else {
            throw BackupError(.invalidMnemonicLength, "\(indices.count) words; a SLIP-39 mnemonic has at least \(Self.minimumWords)")
        }
        let valueBits = 10 * (indices.count - Self.headerWords - Self.checksumWords)
        let paddingBits = valueBits % 16
        guard paddingBits <= 8 else {
            throw BackupError(.invalidMnemonicLength, "\(indices.count) words hold no share value of a whole number of 16-bit blocks")
        }
        let extendable = indices[1] >> 4 & 1 == 1
        guard SLIP39.checksumHolds(indices, extendable: extendable) else {
            throw BackupError(.invalidChecksum, "the checksum does not hold: a word is mistyped, swapped or missing")
        }
        let first = indices[0] << 10 | indices[1]
        let second = indices[2] << 10 | indices[3]
        identifier = UInt16(first >> 5)
        self.extendable = extendable
        iterationExponent = UInt8(first & 0xF)
        groupIndex = UInt8(second >> 16 & 0xF)
        groupThreshold = UInt8(second >> 12 & 0xF) + 1
        groupCount = UInt8(second >> 8 & 0xF) + 1
        memberIndex = UInt8(second >> 4 & 0xF)
        memberThreshold = UInt8(second & 0xF) + 1
        guard groupThreshold <= groupCount else {
            throw BackupError(.invalidGroupThreshold, "the group threshold \(groupThreshold) is greater than the group count \(groupCount)")
        }
        value = try SLIP39.unpackValue(indices[Self.headerWords..<(indices.count - Self.checksumWords)], paddingBits: paddingBits)
    }

    /// The share as words of the SLIP-39 list, checksum last. This is the secret a custodian keeps.
    public var words: [String] {
        let first = Int(identifier) << 5 | (extendable ? 1 << 4 : 0) | Int(iterationExponent)
        let second = Int(groupIndex) << 16 | Int(groupThreshold - 1) << 12 | Int(groupCount - 1) << 8
            | Int(memberIndex) << 4 | Int(memberThreshold - 1)
        var indices = [first >> 10, first & 1023, second >> 10, second & 1023]
        indices += SLIP39.packValue(value)
        indices += SLIP39.checksum(indices, extendable: extendable)
        return indices.map { SLIP39.words[$0] }
    }

    /// The words joined by single spaces.
    public var mnemonic: String { words.joined(separator: " ") }

    /// The first field in which `other` is not of this share's set, or nil when it is.
    func differingSetField(_ other: SLIP39Share) -> String? {
        if other.identifier != identifier { return "identifier" }
        if other.extendable != extendable { return "extendable flag" }
        if other.iterationExponent != iterationExponent { return "iteration exponent" }
        if other.groupThreshold != groupThreshold { return "group threshold" }
        if other.groupCount != groupCount { return "group count" }
        if other.value.count != value.count { return "length" }
        return nil
    }

    public var description: String {
        "SLIP39Share(set \(identifier), group \(groupIndex + 1) of \(groupCount) (\(groupThreshold) needed), "
            + "member \(memberIndex + 1) (\(memberThreshold) needed), value redacted)"
    }
}
