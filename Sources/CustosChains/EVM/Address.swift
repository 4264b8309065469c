import CustosCore
import CustosCrypto

extension EVM {
    /// A 20-byte account or contract address. Printed in EIP-55 mixed-case checksum form.
    ///
    /// Parsing follows EIP-55: all-lowercase or all-uppercase hex is accepted as unchecked;
    /// mixed case must match the checksum exactly, otherwise it is `invalidChecksum` — a
    /// mistyped or tampered address is an error, never silently accepted.
    public struct Address: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let rawValue: [UInt8]

        /// 20 raw bytes.
        public init(_ bytes: some Collection<UInt8>) throws(EVMError) {
            guard bytes.count == 20 else {
                throw EVMError(.invalidAddress, "an address is 20 bytes, got \(bytes.count)")
            }
            rawValue = Array(bytes)
        }

        /// `0x`-prefixed (or bare) hex, EIP-55 checked when mixed-case.
        public init(hex text: some StringProtocol) throws(EVMError) {
            var digits = Substring(text)
            if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
            guard digits.utf8.count == 40 else {
                throw EVMError(.invalidAddress, "an address is 40 hex digits, got \(digits.utf8.count) characters")
            }
            let bytes: [UInt8]
            do { bytes = try [UInt8](hex: digits) } catch {
                throw EVMError(.invalidAddress, "address is not hex: \(error.reason)")
            }
            rawValue = bytes
            let hasLower = digits.utf8.contains { (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
            let hasUpper = digits.utf8.contains { (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }
            if hasLower && hasUpper {
                let expected = checksummed.dropFirst(2)
                guard expected == digits else {
                    throw EVMError(.invalidChecksum, "0x\(digits) does not match its EIP-55 checksum (expected \(checksummed))")
                }
            }
        }

        /// The address of a secp256k1 public key.
        public init(publicKey: Secp256k1.ECDSA.PublicKey) {
            rawValue = publicKey.ethereumAddressBytes
        }

        /// The zero address.
        public static let zero = try! Address([UInt8](repeating: 0, count: 20))

        /// EIP-55 mixed-case form with `0x`.
        public var checksummed: String {
            let lower = Array(rawValue.hexString.utf8)
            let hash = Keccak256.hash(lower)
            var out = Array("0x".utf8)
            for (i, c) in lower.enumerated() {
                let nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0x0F
                if c >= UInt8(ascii: "a") && nibble >= 8 { out.append(c - 32) } else { out.append(c) }
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// `0x28C6…1d60`: the checksummed form shortened to four digits at each end, for
        /// display next to an address-book label only.
        public var abbreviated: String {
            let full = checksummed
            return "\(full.prefix(6))…\(full.suffix(4))"
        }

        public var description: String { checksummed }

        public static func < (lhs: Address, rhs: Address) -> Bool { lhs.rawValue.lexicographicallyPrecedes(rhs.rawValue) }
    }
}

/// An address as its 20 raw bytes, checked again when decoded.
extension EVM.Address: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        try self.init(try c.decode([UInt8].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
