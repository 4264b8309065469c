import BigInt
import CustosCore
import CustosCrypto

extension EVM {
    /// EIP-712 typed structured data: the JSON form wallets sign (`types`, `primaryType`,
    /// `domain`, `message`) and its hashing.
    ///
    /// `signingHash` is `keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message))`.
    /// Types must be declared (including `EIP712Domain`), references must resolve, recursion
    /// through struct types is refused, every declared member must be present and no
    /// undeclared member may appear, so that nothing shown to a person goes unsigned.
    public struct TypedData: Hashable, Sendable, Codable {
        public struct Member: Hashable, Sendable, Codable {
            public var name: String
            public var type: String
            public init(name: String, type: String) {
                self.name = name
                self.type = type
            }
        }

        public var types: [String: [Member]]
        public var primaryType: String
        public var domain: JSONValue
        public var message: JSONValue

        public init(types: [String: [Member]], primaryType: String, domain: JSONValue, message: JSONValue) {
            self.types = types
            self.primaryType = primaryType
            self.domain = domain
            self.message = message
        }

        /// The digest that is signed.
        public func signingHash() throws(EVMError) -> [UInt8] {
            Keccak256.hash([0x19, 0x01] + (try domainSeparator()) + (try hashStruct(primaryType, message)))
        }

        /// `hashStruct(EIP712Domain, domain)`.
        public func domainSeparator() throws(EVMError) -> [UInt8] {
            try hashStruct("EIP712Domain", domain)
        }

        /// `Name(type name,…)` followed by the referenced struct types in alphabetical order.
        public func encodeType(_ name: String) throws(EVMError) -> String {
            var found: Set<String> = []
            try collectDependencies(name, into: &found, path: [])
            found.remove(name)
            var text = try encodeOne(name)
            for dependency in found.sorted() { text += try encodeOne(dependency) }
            return text
        }

        public func typeHash(_ name: String) throws(EVMError) -> [UInt8] {
            Keccak256.hash(Array(try encodeType(name).utf8))
        }

        /// `keccak256(typeHash ‖ encodeData(value))`.
        public func hashStruct(_ name: String, _ value: JSONValue) throws(EVMError) -> [UInt8] {
            Keccak256.hash(try encodeStruct(name, value, depth: 0))
        }

        func members(_ name: String) throws(EVMError) -> [Member] {
            guard let members = types[name] else { throw EVMError(.invalidTypedData, "type \(name) is not declared") }
            return members
        }

        private func encodeOne(_ name: String) throws(EVMError) -> String {
            "\(name)(" + (try members(name)).map { "\($0.type) \($0.name)" }.joined(separator: ",") + ")"
        }

        private func collectDependencies(_ name: String, into found: inout Set<String>, path: [String]) throws(EVMError) {
            guard !path.contains(name) else {
                throw EVMError(.invalidTypedData, "type \(name) refers to itself")
            }
            guard found.insert(name).inserted else { return }
            for member in try members(name) {
                let base = Self.baseType(member.type)
                if types[base] != nil { try collectDependencies(base, into: &found, path: path + [name]) }
            }
        }

        /// `Foo[2][]` → `Foo`.
        static func baseType(_ type: String) -> String {
            if let bracket = type.firstIndex(of: "[") { return String(type[..<bracket]) }
            return type
        }

        private func encodeStruct(_ name: String, _ value: JSONValue, depth: Int) throws(EVMError) -> [UInt8] {
            guard depth < 32 else { throw EVMError(.tooDeep, "typed data nested deeper than 32") }
            guard case .object(let fields) = value else {
                throw EVMError(.invalidTypedData, "value of struct \(name) is not an object")
            }
            let members = try members(name)
            // By bytes, as `value[member.name]` finds a member: a second spelling of a declared
            // name (NFC and NFD are equal as Swift strings) is an undeclared member, not a
            // value that passes unhashed.
            for key in fields.map(\.key) where !members.contains(where: { $0.name.utf8.elementsEqual(key.utf8) }) {
                throw EVMError(.invalidTypedData, "\(name) has no member '\(key)'")
            }
            var out = try typeHash(name)
            for member in members {
                guard let fieldValue = value[member.name] else {
                    throw EVMError(.invalidTypedData, "\(name).\(member.name) is missing")
                }
                out += try encodeField(member.type, fieldValue, path: "\(name).\(member.name)", depth: depth)
            }
            return out
        }

        private func encodeField(_ type: String, _ value: JSONValue, path: String, depth: Int) throws(EVMError) -> [UInt8] {
            if type.hasSuffix("]") {
                guard let open = type.lastIndex(of: "[") else { throw EVMError(.invalidTypedData, "bad array type \(type)") }
                let element = String(type[..<open])
                let sizeText = type[type.index(after: open)..<type.index(before: type.endIndex)]
                guard case .array(let items) = value else { throw EVMError(.invalidTypedData, "\(path) is not an array") }
                if !sizeText.isEmpty {
                    guard let size = Int(sizeText), size == items.count else {
                        throw EVMError(.invalidTypedData, "\(path) must have \(sizeText) elements, has \(items.count)")
                    }
                }
                var concatenated: [UInt8] = []
                for (i, item) in items.enumerated() {
                    concatenated += try encodeField(element, item, path: "\(path)[\(i)]", depth: depth + 1)
                }
                return Keccak256.hash(concatenated)
            }
            if types[type] != nil { return Keccak256.hash(try encodeStruct(type, value, depth: depth + 1)) }
            switch type {
            case "string":
                guard case .string(let text) = value else { throw EVMError(.invalidTypedData, "\(path) is not a string") }
                return Keccak256.hash(Array(text.utf8))
            case "bytes":
                return Keccak256.hash(try hexBytes(value, path: path))
            case "bool":
                guard case .bool(let flag) = value else { throw EVMError(.invalidTypedData, "\(path) is not a bool") }
                return ABI.word(flag ? 1 : 0)
            case "address":
                guard case .string(let text) = value else { throw EVMError(.invalidTypedData, "\(path) is not an address") }
                return [UInt8](repeating: 0, count: 12) + (try Address(hex: text)).rawValue
            default:
                let abiType: ABIType
                do { abiType = try ABIType(parsing: type) } catch {
                    throw EVMError(.invalidTypedData, "\(path) has unknown type \(type)")
                }
                switch abiType {
                case .uint:
                    return try ABI.encode([.uint(integer(value, path: path).magnitudeIfNonNegative(path))], as: [abiType])
                case .int:
                    return try ABI.encode([.int(integer(value, path: path))], as: [abiType])
                case .fixedBytes(let n):
                    let bytes = try hexBytes(value, path: path)
                    guard bytes.count == n else { throw EVMError(.invalidTypedData, "\(path) must be \(n) bytes") }
                    return try ABI.encode([.fixedBytes(bytes)], as: [abiType])
                default:
                    throw EVMError(.invalidTypedData, "\(path) has unsupported type \(type)")
                }
            }
        }

        func hexBytes(_ value: JSONValue, path: String) throws(EVMError) -> [UInt8] {
            guard case .string(let text) = value, text.hasPrefix("0x") else {
                throw EVMError(.invalidTypedData, "\(path) is not 0x-prefixed hex")
            }
            do { return try [UInt8](hex: text) } catch {
                throw EVMError(.invalidTypedData, "\(path): \(error.reason)")
            }
        }

        /// A JSON integer, decimal string (optionally negative) or 0x-hex string.
        func integer(_ value: JSONValue, path: String) throws(EVMError) -> BigInt {
            switch value {
            case .integer(let v):
                return BigInt(v)
            case .string(let text):
                if text.hasPrefix("0x") {
                    do { return BigInt(BigUInt(bigEndian: try [UInt8](hex: text.count % 2 == 0 ? text : "0x0" + text.dropFirst(2)))) } catch {
                        throw EVMError(.invalidTypedData, "\(path): \(error.reason)")
                    }
                }
                let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
                guard !digits.isEmpty, digits.count <= 80, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                      let parsed = BigInt(text, radix: 10)
                else { throw EVMError(.invalidTypedData, "\(path) is not an integer") }
                return parsed
            default:
                throw EVMError(.invalidTypedData, "\(path) is not an integer")
            }
        }
    }
}

extension BigInt {
    fileprivate func magnitudeIfNonNegative(_ path: String) throws(EVMError) -> BigUInt {
        guard sign == .plus || magnitude == 0 else { throw EVMError(.outOfRange, "\(path) is negative") }
        return magnitude
    }
}
