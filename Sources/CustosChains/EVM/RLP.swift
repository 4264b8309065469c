import BigInt
import CustosCore
import CustosCrypto

extension EVM {
    /// Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B).
    ///
    /// The decoder is strict: it accepts exactly the one canonical encoding of each item and
    /// refuses everything else with an `EVMError` — lengths that announce more than is there
    /// (`truncated`), bytes after the item (`trailingBytes`), long-form lengths where the
    /// short form fits, lengths with leading zeros, single bytes below 0x80 wrapped as a
    /// string (`nonCanonical`), input over `Limits.maxInputSize` (`tooLarge`) and lists nested
    /// deeper than `Limits.maxDepth` (`tooDeep`). It never traps on hostile input.
    public enum RLP {
        /// An RLP item: a byte string or a list of items.
        public indirect enum Item: Hashable, Sendable {
            case bytes([UInt8])
            case list([Item])
        }

        /// Bounds on what the decoder accepts.
        public struct Limits: Sendable {
            public var maxInputSize: Int
            public var maxDepth: Int
            public init(maxInputSize: Int = 1 << 20, maxDepth: Int = 16) {
                self.maxInputSize = maxInputSize
                self.maxDepth = maxDepth
            }
            public static let `default` = Limits()
        }

        /// The canonical encoding of `item`.
        public static func encode(_ item: Item) -> [UInt8] {
            var out: [UInt8] = []
            append(item, to: &out)
            return out
        }

        private static func append(_ item: Item, to out: inout [UInt8]) {
            switch item {
            case .bytes(let bytes):
                if bytes.count == 1 && bytes[0] < 0x80 {
                    out.append(bytes[0])
                } else {
                    appendHeader(bytes.count, offset: 0x80, to: &out)
                    out.append(contentsOf: bytes)
                }
            case .list(let items):
                var payload: [UInt8] = []
                for child in items { append(child, to: &payload) }
                appendHeader(payload.count, offset: 0xC0, to: &out)
                out.append(contentsOf: payload)
            }
        }

        private static func appendHeader(_ length: Int, offset: UInt8, to out: inout [UInt8]) {
            if length < 56 {
                out.append(offset + UInt8(length))
            } else {
                let lengthBytes = BigUInt(length).minimalBigEndianBytes
                out.append(offset + 55 + UInt8(lengthBytes.count))
                out.append(contentsOf: lengthBytes)
            }
        }

        /// Decodes exactly one item that spans all of `bytes`.
        public static func decode(_ bytes: some Collection<UInt8>, limits: Limits = .default) throws(EVMError) -> Item {
            guard bytes.count <= limits.maxInputSize else {
                throw EVMError(.tooLarge, "RLP input is \(bytes.count) bytes, over the limit of \(limits.maxInputSize)")
            }
            let input = Array(bytes)
            guard !input.isEmpty else { throw EVMError(.truncated, "RLP input is empty") }
            var position = 0
            let item = try decodeItem(input, &position, end: input.count, depth: 0, limits: limits)
            guard position == input.count else {
                throw EVMError(.trailingBytes, "\(input.count - position) bytes follow the RLP item")
            }
            return item
        }

        private static func decodeItem(
            _ input: [UInt8], _ position: inout Int, end: Int, depth: Int, limits: Limits
        ) throws(EVMError) -> Item {
            guard position < end else { throw EVMError(.truncated, "RLP item expected at offset \(position)") }
            let prefix = input[position]
            position += 1
            switch prefix {
            case 0x00...0x7F:
                return .bytes([prefix])
            case 0x80...0xBF:
                let length = try readLength(input, &position, end: end, prefix: prefix, base: 0x80)
                let payload = Array(input[position..<(position + length)])
                position += length
                if length == 1 && payload[0] < 0x80 {
                    throw EVMError(.nonCanonical, "single byte 0x\([payload[0]].hexString) must not be wrapped as a string")
                }
                return .bytes(payload)
            default:
                guard depth < limits.maxDepth else {
                    throw EVMError(.tooDeep, "RLP lists nested deeper than \(limits.maxDepth)")
                }
                let length = try readLength(input, &position, end: end, prefix: prefix, base: 0xC0)
                let listEnd = position + length
                var items: [Item] = []
                while position < listEnd {
                    items.append(try decodeItem(input, &position, end: listEnd, depth: depth + 1, limits: limits))
                }
                return .list(items)
            }
        }

        /// Reads the payload length after a string (base 0x80) or list (base 0xC0) prefix and
        /// checks that the payload fits before `end`.
        private static func readLength(
            _ input: [UInt8], _ position: inout Int, end: Int, prefix: UInt8, base: UInt8
        ) throws(EVMError) -> Int {
            let length: Int
            if prefix <= base + 55 {
                length = Int(prefix - base)
            } else {
                let lengthOfLength = Int(prefix - base - 55)
                guard end - position >= lengthOfLength else {
                    throw EVMError(.truncated, "RLP length field runs past the end of the input")
                }
                guard input[position] != 0 else {
                    throw EVMError(.nonCanonical, "RLP length has a leading zero byte")
                }
                guard lengthOfLength <= 4 else {
                    throw EVMError(.tooLarge, "RLP length field of \(lengthOfLength) bytes")
                }
                var value = 0
                for i in 0..<lengthOfLength { value = value << 8 | Int(input[position + i]) }
                position += lengthOfLength
                guard value >= 56 else {
                    throw EVMError(.nonCanonical, "RLP long-form length \(value) where the short form fits")
                }
                length = value
            }
            guard end - position >= length else {
                throw EVMError(.truncated, "RLP item announces \(length) bytes but \(end - position) remain")
            }
            return length
        }
    }
}

extension EVM.RLP.Item {
    /// An unsigned integer in RLP's canonical form (minimal big-endian, zero is empty).
    public static func uint(_ value: BigUInt) -> Self { .bytes(value.minimalBigEndianBytes) }
    public static func uint(_ value: UInt64) -> Self { .bytes(BigUInt(value).minimalBigEndianBytes) }

    /// The byte string, or `invalidRLP` naming `field` when this is a list.
    public func bytes(_ field: String) throws(EVMError) -> [UInt8] {
        guard case .bytes(let bytes) = self else { throw EVMError(.invalidRLP, "\(field) must be a string, found a list") }
        return bytes
    }

    /// The list, or `invalidRLP` naming `field` when this is a string.
    public func list(_ field: String) throws(EVMError) -> [EVM.RLP.Item] {
        guard case .list(let items) = self else { throw EVMError(.invalidRLP, "\(field) must be a list, found a string") }
        return items
    }

    /// A canonical unsigned integer of at most `maxBytes` bytes.
    public func uint(_ field: String, maxBytes: Int = 32) throws(EVMError) -> BigUInt {
        let bytes = try bytes(field)
        guard bytes.count <= maxBytes else { throw EVMError(.outOfRange, "\(field) is longer than \(maxBytes) bytes") }
        guard bytes.first != 0 else { throw EVMError(.nonCanonical, "\(field) has a leading zero byte") }
        return BigUInt(bigEndian: bytes)
    }

    /// A canonical unsigned integer that fits in 64 bits.
    public func uint64(_ field: String) throws(EVMError) -> UInt64 {
        let value = try uint(field, maxBytes: 8)
        return UInt64(value)
    }
}
