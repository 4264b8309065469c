import BigInt
import CustosCore

extension EVM.TypedData {
    /// Every atomic value of `value`, a `name` struct, by dotted path in declaration order:
    /// `details.amount` for a member of a nested struct, `items.0.to` for an array element.
    /// Values are read by their declared types, as `hashStruct` encodes them, so a leaf shown is
    /// the leaf signed. Refuses, like `signingHash`, values that do not fit their types, and
    /// data with more than `limit` leaves (`tooLarge`) or nested deeper than 32 (`tooDeep`).
    public func leaves(of name: String, _ value: JSONValue, limit: Int) throws(EVMError) -> [(path: String, leaf: Leaf)] {
        var out: [(path: String, leaf: Leaf)] = []
        try collect(name, value, prefix: "", depth: 0, limit: limit, into: &out)
        return out
    }

    private func collect(
        _ type: String, _ value: JSONValue, prefix: String, depth: Int, limit: Int, into out: inout [(path: String, leaf: Leaf)]
    ) throws(EVMError) {
        guard depth < 32 else { throw EVMError(.tooDeep, "typed data nested deeper than 32") }
        let path = prefix.isEmpty ? type : prefix
        if type.hasSuffix("]") {
            guard let open = type.lastIndex(of: "[") else { throw EVMError(.invalidTypedData, "bad array type \(type)") }
            guard case .array(let items) = value else { throw EVMError(.invalidTypedData, "\(path) is not an array") }
            let element = String(type[..<open])
            for (i, item) in items.enumerated() {
                try collect(element, item, prefix: prefix.isEmpty ? "\(i)" : "\(prefix).\(i)", depth: depth + 1, limit: limit, into: &out)
            }
            return
        }
        if types[type] != nil {
            guard case .object = value else { throw EVMError(.invalidTypedData, "value of struct \(type) is not an object") }
            for member in try members(type) {
                guard let fieldValue = value[member.name] else { throw EVMError(.invalidTypedData, "\(type).\(member.name) is missing") }
                let inner = prefix.isEmpty ? member.name : "\(prefix).\(member.name)"
                try collect(member.type, fieldValue, prefix: inner, depth: depth + 1, limit: limit, into: &out)
            }
            return
        }
        guard out.count < limit else { throw EVMError(.tooLarge, "typed data has more than \(limit) values") }
        let leaf: Leaf
        switch type {
        case "string":
            guard case .string(let text) = value else { throw EVMError(.invalidTypedData, "\(path) is not a string") }
            leaf = .text(text)
        case "bool":
            guard case .bool(let flag) = value else { throw EVMError(.invalidTypedData, "\(path) is not a bool") }
            leaf = .text(flag ? "true" : "false")
        case "address":
            guard case .string(let text) = value else { throw EVMError(.invalidTypedData, "\(path) is not an address") }
            leaf = .text("0x" + (try EVM.Address(hex: text)).rawValue.hexString)
        default:
            if type == "bytes" || (type.hasPrefix("bytes") && Int(type.dropFirst(5)) != nil) {
                leaf = .text("0x" + (try hexBytes(value, path: path)).hexString)
            } else if type.hasPrefix("uint") || type.hasPrefix("int") {
                leaf = .integer(try integer(value, path: path))
            } else {
                throw EVMError(.invalidTypedData, "\(path) has unsupported type \(type)")
            }
        }
        out.append((path, leaf))
    }
}
