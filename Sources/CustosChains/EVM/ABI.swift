import BigInt
import CustosCore
import CustosCrypto

extension EVM {
    /// Contract ABI encoding and decoding (Solidity ABI specification, "Formal Specification
    /// of the Encoding").
    ///
    /// Decoding checks every word: integers fit their width (signed ones are properly
    /// sign-extended), addresses and bools carry no stray bits, padding is zero, strings are
    /// UTF-8, offsets and lengths stay inside the data, and the number of decoded values is
    /// bounded by the input size so that aliasing offsets cannot blow up memory.
    public enum ABI {
        /// The 4-byte function selector: the first bytes of Keccak-256 of the signature.
        public static func selector(_ signature: String) -> [UInt8] {
            Array(Keccak256.hash(Array(signature.utf8)).prefix(4))
        }

        /// Encodes `values` as the tuple `types` (function arguments without selector).
        public static func encode(_ values: [ABIValue], as types: [ABIType]) throws(EVMError) -> [UInt8] {
            try encodeTuple(values, types)
        }

        /// `selector(signature) ‖ encode(values)`; the argument types come from the signature.
        public static func encodeCall(_ signature: String, _ values: [ABIValue]) throws(EVMError) -> [UInt8] {
            guard let open = signature.firstIndex(of: "("), signature.hasSuffix(")") else {
                throw EVMError(.invalidABI, "'\(signature)' is not a function signature")
            }
            let types = try ABIType.parseList(String(signature[signature.index(after: open)..<signature.index(before: signature.endIndex)]))
            return selector(signature) + (try encode(values, as: types))
        }

        /// Decodes `data` as the tuple `types`. Bytes after the encoded values are tolerated
        /// (as Solidity does) unless `canonical` is set, in which case the data must be
        /// exactly the canonical encoding of the decoded values.
        public static func decode(_ types: [ABIType], from data: some Collection<UInt8>, canonical: Bool = false) throws(EVMError) -> [ABIValue] {
            let bytes = Array(data)
            var decoder = Decoder(data: bytes, budget: bytes.count / 32 + 1)
            let values = try decoder.decodeTuple(types, at: 0)
            if canonical {
                guard try encode(values, as: types) == bytes else {
                    throw EVMError(.nonCanonical, "ABI data is not the canonical encoding of its values")
                }
            }
            return values
        }

        // MARK: Encoding

        private static func encodeTuple(_ values: [ABIValue], _ types: [ABIType]) throws(EVMError) -> [UInt8] {
            guard values.count == types.count else {
                throw EVMError(.invalidABI, "\(values.count) values for \(types.count) types")
            }
            var heads: [[UInt8]] = []
            var tails: [[UInt8]] = []
            let headLength = types.reduce(0) { $0 + $1.headSize }
            var tailOffset = headLength
            for (value, type) in zip(values, types) {
                let encoded = try encodeValue(value, type)
                if type.isDynamic {
                    heads.append(word(BigUInt(tailOffset)))
                    tails.append(encoded)
                    tailOffset += encoded.count
                } else {
                    heads.append(encoded)
                }
            }
            return Array((heads + tails).joined())
        }

        private static func encodeValue(_ value: ABIValue, _ type: ABIType) throws(EVMError) -> [UInt8] {
            switch (type, value) {
            case (.uint(let bits), .uint(let v)):
                guard v.bitWidth <= bits else { throw EVMError(.outOfRange, "\(v) does not fit in uint\(bits)") }
                return word(v)
            case (.int(let bits), .int(let v)):
                let limit = BigInt(1) << (bits - 1)
                guard v >= -limit && v < limit else { throw EVMError(.outOfRange, "\(v) does not fit in int\(bits)") }
                let twos = v >= 0 ? BigUInt(v) : (BigUInt(1) << 256) - BigUInt(-v)
                return word(twos)
            case (.address, .address(let a)):
                return [UInt8](repeating: 0, count: 12) + a.rawValue
            case (.bool, .bool(let b)):
                return word(b ? 1 : 0)
            case (.fixedBytes(let n), .fixedBytes(let b)):
                guard b.count == n else { throw EVMError(.invalidABI, "bytes\(n) value has \(b.count) bytes") }
                return padRight(b)
            case (.bytes, .bytes(let b)):
                return word(BigUInt(b.count)) + padRight(b)
            case (.string, .string(let s)):
                let b = Array(s.utf8)
                return word(BigUInt(b.count)) + padRight(b)
            case (.fixedArray(let element, let n), .array(let items)):
                guard items.count == n else { throw EVMError(.invalidABI, "\(type) value has \(items.count) elements") }
                return try encodeTuple(items, Array(repeating: element, count: n))
            case (.array(let element), .array(let items)):
                return word(BigUInt(items.count)) + (try encodeTuple(items, Array(repeating: element, count: items.count)))
            case (.tuple(let members), .tuple(let items)):
                return try encodeTuple(items, members)
            default:
                throw EVMError(.invalidABI, "value does not match ABI type \(type)")
            }
        }

        static func word(_ v: BigUInt) -> [UInt8] { v.bigEndianBytes(width: 32) }

        private static func padRight(_ b: [UInt8]) -> [UInt8] {
            let padding = (32 - b.count % 32) % 32
            return b + [UInt8](repeating: 0, count: padding)
        }

        // MARK: Decoding

        private struct Decoder {
            let data: [UInt8]
            /// How many more leaf values and dynamic arrays may be decoded.
            var budget: Int

            mutating func spend() throws(EVMError) {
                budget -= 1
                guard budget >= 0 else { throw EVMError(.tooLarge, "ABI data decodes to more values than its size allows") }
            }

            func word(at offset: Int) throws(EVMError) -> ArraySlice<UInt8> {
                guard offset >= 0, offset <= data.count - 32 else {
                    throw EVMError(.truncated, "ABI data ends before the word at offset \(offset)")
                }
                return data[offset..<(offset + 32)]
            }

            /// A word read as a length or offset: must fit comfortably in an Int.
            func smallInteger(at offset: Int, what: String) throws(EVMError) -> Int {
                let w = try word(at: offset)
                guard w.prefix(28).allSatisfy({ $0 == 0 }) else {
                    throw EVMError(.tooLarge, "ABI \(what) at offset \(offset) is too large")
                }
                return w.suffix(4).reduce(0) { $0 << 8 | Int($1) }
            }

            mutating func decodeTuple(_ types: [ABIType], at base: Int) throws(EVMError) -> [ABIValue] {
                var values: [ABIValue] = []
                var head = base
                for type in types {
                    if type.isDynamic {
                        let offset = try smallInteger(at: head, what: "offset")
                        let target = base + offset
                        guard target <= data.count else {
                            throw EVMError(.truncated, "ABI offset \(offset) points past the end of the data")
                        }
                        values.append(try decodeValue(type, at: target))
                    } else {
                        values.append(try decodeValue(type, at: head))
                    }
                    head += type.headSize
                }
                return values
            }

            mutating func decodeValue(_ type: ABIType, at offset: Int) throws(EVMError) -> ABIValue {
                switch type {
                case .uint(let bits):
                    try spend()
                    let v = BigUInt(bigEndian: try word(at: offset))
                    guard v.bitWidth <= bits else { throw EVMError(.outOfRange, "value does not fit in uint\(bits)") }
                    return .uint(v)
                case .int(let bits):
                    try spend()
                    let raw = BigUInt(bigEndian: try word(at: offset))
                    let value = raw >= (BigUInt(1) << 255) ? BigInt(raw) - (BigInt(1) << 256) : BigInt(raw)
                    let limit = BigInt(1) << (bits - 1)
                    guard value >= -limit && value < limit else {
                        throw EVMError(.outOfRange, "value is not a sign-extended int\(bits)")
                    }
                    return .int(value)
                case .address:
                    try spend()
                    let w = try word(at: offset)
                    guard w.prefix(12).allSatisfy({ $0 == 0 }) else {
                        throw EVMError(.invalidABI, "address word has nonzero upper bytes")
                    }
                    return .address(try EVM.Address(w.suffix(20)))
                case .bool:
                    try spend()
                    let w = try word(at: offset)
                    guard w.prefix(31).allSatisfy({ $0 == 0 }), w.last! <= 1 else {
                        throw EVMError(.invalidABI, "bool word is neither 0 nor 1")
                    }
                    return .bool(w.last! == 1)
                case .fixedBytes(let n):
                    try spend()
                    let w = try word(at: offset)
                    guard w.dropFirst(n).allSatisfy({ $0 == 0 }) else {
                        throw EVMError(.invalidABI, "bytes\(n) has nonzero padding")
                    }
                    return .fixedBytes(Array(w.prefix(n)))
                case .bytes, .string:
                    try spend()
                    let length = try smallInteger(at: offset, what: "length")
                    let start = offset + 32
                    guard length <= data.count - start else {
                        throw EVMError(.truncated, "ABI \(type) of \(length) bytes runs past the end of the data")
                    }
                    let padded = (length + 31) / 32 * 32
                    guard padded <= data.count - start else {
                        throw EVMError(.truncated, "ABI \(type) padding runs past the end of the data")
                    }
                    guard data[(start + length)..<(start + padded)].allSatisfy({ $0 == 0 }) else {
                        throw EVMError(.invalidABI, "ABI \(type) has nonzero padding")
                    }
                    let content = Array(data[start..<(start + length)])
                    if case .bytes = type { return .bytes(content) }
                    guard let text = String(validating: content, as: UTF8.self) else {
                        throw EVMError(.invalidABI, "ABI string is not valid UTF-8")
                    }
                    return .string(text)
                case .fixedArray(let element, let n):
                    return .array(try decodeTuple(Array(repeating: element, count: n), at: offset))
                case .array(let element):
                    try spend()
                    let count = try smallInteger(at: offset, what: "array length")
                    let start = offset + 32
                    guard count <= (data.count - start) / element.headSize else {
                        throw EVMError(.truncated, "ABI array of \(count) elements runs past the end of the data")
                    }
                    return .array(try decodeTuple(Array(repeating: element, count: count), at: start))
                case .tuple(let members):
                    return .tuple(try decodeTuple(members, at: offset))
                }
            }
        }
    }
}
