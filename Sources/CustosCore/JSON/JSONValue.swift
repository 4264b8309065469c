/// A JSON value: the one shape for every JSON Custos reads or writes, whether it is signed
/// (request bodies and their RFC 8785 canonical form), shown to a person (WebAuthn client data,
/// EIP-712 messages) or received from a chain (JSON-RPC results).
///
/// - An integer that fits 64 bits is an `integer`, kept exactly (EIP-712 and JSON-RPC read it as
///   an integer); every other number is a `number`, the IEEE 754 double RFC 8785 reads.
///   `JSONParser` makes an `integer` of an integer literal (no fraction, no exponent); `Codable`
///   decoding, which cannot see spelling, of any number its decoder reads as an `Int64`. `JCS`
///   writes both kinds as their double, so the split never changes canonical bytes; quantities
///   beyond 64 bits belong in strings, as EIP-712 and JSON-RPC write them.
/// - An object keeps its members in order and never repeats a name (the parser refuses repeats).
/// - Equality is structural: strings compare by their UTF-8 bytes, members in order, and `1`
///   (an integer) differs from `1.0` (a number) although both canonicalize to `1`.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The member named `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var objectValue: [(key: String, value: JSONValue)]? {
        if case .object(let m) = self { return m }
        return nil
    }

    /// A number as RFC 8785 reads it (an integer becomes the nearest double), or nil.
    public var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    /// A short name of the value's type for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .integer, .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count
                && zip(a, b).allSatisfy { $0.key.utf8.elementsEqual($1.key.utf8) && $0.value == $1.value }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .integer(let i): hasher.combine(6); hasher.combine(i)
        case .number(let d): hasher.combine(2); hasher.combine(d)
        case .string(let s): hasher.combine(3); hasher.combine(Array(s.utf8))
        case .array(let a): hasher.combine(4); hasher.combine(a)
        case .object(let m):
            hasher.combine(5)
            for member in m {
                hasher.combine(Array(member.key.utf8))
                hasher.combine(member.value)
            }
        }
    }
}
