import CustosCore

extension EVM {
    /// A Solidity ABI type (Contract ABI Specification, "Types").
    public indirect enum ABIType: Hashable, Sendable, CustomStringConvertible {
        case uint(bits: Int)
        case int(bits: Int)
        case address
        case bool
        /// `bytes1` … `bytes32`.
        case fixedBytes(Int)
        case bytes
        case string
        /// `T[k]`.
        case fixedArray(ABIType, Int)
        /// `T[]`.
        case array(ABIType)
        /// `(T1,T2,...)`.
        case tuple([ABIType])

        /// The canonical type string used in function signatures.
        public var description: String {
            switch self {
            case .uint(let bits): "uint\(bits)"
            case .int(let bits): "int\(bits)"
            case .address: "address"
            case .bool: "bool"
            case .fixedBytes(let n): "bytes\(n)"
            case .bytes: "bytes"
            case .string: "string"
            case .fixedArray(let element, let n): "\(element)[\(n)]"
            case .array(let element): "\(element)[]"
            case .tuple(let members): "(\(members.map(\.description).joined(separator: ",")))"
            }
        }

        /// True when the encoding has a variable length (and goes to the tail).
        public var isDynamic: Bool {
            switch self {
            case .bytes, .string, .array: true
            case .fixedArray(let element, let n): n > 0 && element.isDynamic
            case .tuple(let members): members.contains { $0.isDynamic }
            default: false
            }
        }

        /// Bytes in the head: 32 for dynamic types, the full static size otherwise.
        var headSize: Int {
            if isDynamic { return 32 }
            switch self {
            case .fixedArray(let element, let n): return element.headSize * n
            case .tuple(let members): return members.reduce(0) { $0 + $1.headSize }
            default: return 32
            }
        }

        /// Parses a canonical type string such as `uint256`, `(address,bytes)[]`, `bytes32[2]`.
        /// Aliases (`uint`, `int`, `byte`) are refused: signatures must be canonical.
        public init(parsing text: String) throws(EVMError) {
            var parser = Parser(Array(text.utf8))
            let type = try parser.parseType()
            guard parser.atEnd else { throw EVMError(.invalidABI, "unexpected text after type in '\(text)'") }
            self = type
        }

        /// Parses `a,b,c` (a tuple's members without parentheses); empty text is no types.
        public static func parseList(_ text: String) throws(EVMError) -> [ABIType] {
            if text.isEmpty { return [] }
            guard case .tuple(let members) = try ABIType(parsing: "(\(text))") else { return [] }
            return members
        }

        private struct Parser {
            let chars: [UInt8]
            var position = 0
            var depth = 0
            init(_ chars: [UInt8]) { self.chars = chars }
            var atEnd: Bool { position == chars.count }

            mutating func parseType() throws(EVMError) -> ABIType {
                depth += 1
                defer { depth -= 1 }
                guard depth <= 32 else { throw EVMError(.tooDeep, "ABI type nested too deeply") }
                var type: ABIType
                if position < chars.count && chars[position] == UInt8(ascii: "(") {
                    position += 1
                    var members: [ABIType] = []
                    if position < chars.count && chars[position] == UInt8(ascii: ")") {
                        position += 1
                    } else {
                        while true {
                            members.append(try parseType())
                            guard position < chars.count else { throw EVMError(.invalidABI, "unclosed tuple") }
                            let c = chars[position]
                            position += 1
                            if c == UInt8(ascii: ")") { break }
                            guard c == UInt8(ascii: ",") else { throw EVMError(.invalidABI, "expected ',' or ')' in tuple") }
                        }
                    }
                    type = .tuple(members)
                } else {
                    let start = position
                    while position < chars.count, isIdentifier(chars[position]) { position += 1 }
                    type = try Self.elementary(String(decoding: chars[start..<position], as: UTF8.self))
                }
                while position < chars.count && chars[position] == UInt8(ascii: "[") {
                    position += 1
                    let start = position
                    while position < chars.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(chars[position]) {
                        position += 1
                    }
                    let digits = String(decoding: chars[start..<position], as: UTF8.self)
                    guard position < chars.count && chars[position] == UInt8(ascii: "]") else {
                        throw EVMError(.invalidABI, "unclosed array bracket")
                    }
                    position += 1
                    if digits.isEmpty {
                        type = .array(type)
                    } else {
                        guard digits.count <= 6, !(digits.count > 1 && digits.hasPrefix("0")),
                              let n = Int(digits), n > 0
                        else { throw EVMError(.invalidABI, "bad fixed array length '\(digits)'") }
                        let (size, overflow) = type.headSize.multipliedReportingOverflow(by: n)
                        guard !overflow, size <= 1 << 20 else {
                            throw EVMError(.tooLarge, "fixed array type of more than 1 MiB")
                        }
                        type = .fixedArray(type, n)
                    }
                }
                return type
            }

            private func isIdentifier(_ c: UInt8) -> Bool {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
            }

            static func elementary(_ name: String) throws(EVMError) -> ABIType {
                switch name {
                case "address": return .address
                case "bool": return .bool
                case "bytes": return .bytes
                case "string": return .string
                default: break
                }
                func size(_ suffix: Substring) -> Int? {
                    guard !suffix.isEmpty, !suffix.hasPrefix("0"), let n = Int(suffix) else { return nil }
                    return n
                }
                if name.hasPrefix("uint"), let bits = size(name.dropFirst(4)), bits % 8 == 0, (8...256).contains(bits) {
                    return .uint(bits: bits)
                }
                if name.hasPrefix("int"), let bits = size(name.dropFirst(3)), bits % 8 == 0, (8...256).contains(bits) {
                    return .int(bits: bits)
                }
                if name.hasPrefix("bytes"), let n = size(name.dropFirst(5)), (1...32).contains(n) {
                    return .fixedBytes(n)
                }
                throw EVMError(.invalidABI, "unknown or non-canonical ABI type '\(name)'")
            }
        }
    }
}
