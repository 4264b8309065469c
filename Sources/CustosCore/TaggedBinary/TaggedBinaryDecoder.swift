/// Decodes a value from the tagged binary encoding (`TaggedBinary`). Bytes that are not a whole
/// encoding are a `TaggedBinaryError`; a value of another shape than the type asks for is a
/// `DecodingError`. Numbers are not converted between kinds: a double does not read as an
/// integer or the other way round; an integer reads as another integer type, and a double as a
/// `Float`, only where it fits exactly.
public struct TaggedBinaryDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        guard bytes.starts(with: TaggedBinary.header) else {
            throw TaggedBinaryError(.malformed, "the bytes do not start with the tagged binary header \"CTB1\"")
        }
        var reader = TaggedBinary.Reader(bytes, offset: TaggedBinary.header.count)
        let root = try reader.value(depth: 0)
        guard reader.isAtEnd else {
            throw TaggedBinaryError(.malformed, "\(bytes.count - reader.offset) bytes follow the value, from byte \(reader.offset)")
        }
        return try TaggedDecoding.value(T.self, from: root, at: [])
    }
}

/// The `Decoder` over one node.
final class TaggedDecoding: Decoder {
    let node: TaggedNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: TaggedNode, codingPath: [any CodingKey]) {
        self.node = node
        self.codingPath = codingPath
    }

    /// The path is only built for a value that decodes itself, or in an error.
    static func value<T: Decodable>(_ type: T.Type, from node: TaggedNode, at path: @autoclosure () -> [any CodingKey]) throws -> T {
        if T.self == [UInt8].self, node.kind == .bytes { return node.bytes as! T }
        if T.self == String.self { return try node.string(at: path()) as! T }
        return try T(from: TaggedDecoding(node: node, codingPath: path()))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try TaggedKeyedDecoding<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try TaggedUnkeyedDecoding(node: node, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        TaggedSingleValueDecoding(node: node, codingPath: codingPath)
    }
}

extension TaggedNode {
    func mismatch(_ type: Any.Type, at path: @autoclosure () -> [any CodingKey]) -> DecodingError {
        DecodingError.typeMismatch(type, .init(codingPath: path(), debugDescription: "expected \(type), found \(kind)"))
    }

    func boolean(at path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard kind == .bool else { throw mismatch(Bool.self, at: path()) }
        return scalar != 0
    }

    func string(at path: @autoclosure () -> [any CodingKey]) throws -> String {
        guard kind == .text else { throw mismatch(String.self, at: path()) }
        return text
    }

    func floatingPoint(at path: @autoclosure () -> [any CodingKey]) throws -> Double {
        guard kind == .double else { throw mismatch(Double.self, at: path()) }
        return Double(bitPattern: scalar)
    }

    func float(at path: @autoclosure () -> [any CodingKey]) throws -> Float {
        let double = try floatingPoint(at: path())
        guard let float = double.isNaN ? Float(double) : Float(exactly: double) else {
            throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "\(double) does not fit Float exactly"))
        }
        return float
    }

    func integer<I: FixedWidthInteger>(_ type: I.Type, at path: @autoclosure () -> [any CodingKey]) throws -> I {
        let value: I?
        switch kind {
        case .signed: value = I(exactly: Int64(bitPattern: scalar))
        case .unsigned: value = I(exactly: scalar)
        case .signedWide: value = I(exactly: Int128(bitPattern: wide))
        case .unsignedWide: value = I(exactly: wide)
        default: throw mismatch(I.self, at: path())
        }
        guard let value else {
            throw DecodingError.dataCorrupted(.init(codingPath: path(), debugDescription: "the number does not fit \(I.self)"))
        }
        return value
    }
}

struct TaggedKeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let node: TaggedNode
    let codingPath: [any CodingKey]
    /// Where each key is, for a map of more than `linearLimit` keys (a dictionary); a struct's few
    /// keys are found by comparing them, without hashing each or building an index per value.
    private let index: [String: Int]?
    private static var linearLimit: Int { 16 }

    init(node: TaggedNode, codingPath: [any CodingKey]) throws {
        guard node.kind == .map else { throw node.mismatch([String: Any].self, at: codingPath) }
        // The reader refused a map holding a key twice (`TaggedBinary.duplicate(in:)`), so the
        // first match is the only one.
        if node.keys.count > Self.linearLimit {
            var index: [String: Int] = [:]
            index.reserveCapacity(node.keys.count)
            for (i, key) in node.keys.enumerated() { index[key] = i }
            self.index = index
        } else {
            index = nil
        }
        self.node = node
        self.codingPath = codingPath
    }

    var allKeys: [Key] { node.keys.compactMap { Key(stringValue: $0) } }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return node.keys.firstIndex(of: key)
    }

    func contains(_ key: Key) -> Bool { position(of: key.stringValue) != nil }

    private func child(_ key: any CodingKey) throws -> TaggedNode {
        guard let i = position(of: key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for the key \(key.stringValue)"))
        }
        return node.items[i]
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).kind == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).boolean(at: codingPath + [key]) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).string(at: codingPath + [key]) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).floatingPoint(at: codingPath + [key]) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).float(at: codingPath + [key]) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).integer(type, at: codingPath + [key]) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).integer(type, at: codingPath + [key]) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).integer(type, at: codingPath + [key]) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).integer(type, at: codingPath + [key]) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).integer(type, at: codingPath + [key]) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).integer(type, at: codingPath + [key]) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).integer(type, at: codingPath + [key]) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).integer(type, at: codingPath + [key]) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).integer(type, at: codingPath + [key]) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).integer(type, at: codingPath + [key]) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try child(key).integer(type, at: codingPath + [key]) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try child(key).integer(type, at: codingPath + [key]) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try TaggedDecoding.value(type, from: try child(key), at: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        KeyedDecodingContainer(try TaggedKeyedDecoding<NestedKey>(node: try child(key), codingPath: codingPath + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TaggedUnkeyedDecoding(node: try child(key), codingPath: codingPath + [key])
    }

    func superDecoder() throws -> any Decoder {
        TaggedDecoding(node: try child(TaggedSuperKey()), codingPath: codingPath + [TaggedSuperKey()])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TaggedDecoding(node: try child(key), codingPath: codingPath + [key])
    }
}

struct TaggedUnkeyedDecoding: UnkeyedDecodingContainer {
    let codingPath: [any CodingKey]
    private let items: [TaggedNode]
    private(set) var currentIndex = 0

    /// A list; or a byte string read element by element (as `Data` or another collection of
    /// bytes reads it).
    init(node: TaggedNode, codingPath: [any CodingKey]) throws {
        switch node.kind {
        case .list: items = node.items
        case .bytes: items = node.bytes.map { TaggedNode.unsigned($0) }
        default: throw node.mismatch([Any].self, at: codingPath)
        }
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private var path: [any CodingKey] { codingPath + [TaggedIndexKey(currentIndex)] }

    /// The value at `currentIndex`, which moves on only once that value decoded (as JSON's
    /// does: a failed attempt can be tried again as another type).
    private func current() throws -> TaggedNode {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: path, debugDescription: "the list has no more values"))
        }
        return items[currentIndex]
    }

    /// `read` given the current value and a way to its path (built only when asked).
    private mutating func advancing<T>(_ read: (TaggedNode, () -> [any CodingKey]) throws -> T) throws -> T {
        let value = try read(try current(), { path })
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: path, debugDescription: "the list has no more values"))
        }
        guard items[currentIndex].kind == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try advancing { try $0.boolean(at: $1()) } }
    mutating func decode(_ type: String.Type) throws -> String { try advancing { try $0.string(at: $1()) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try advancing { try $0.floatingPoint(at: $1()) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try advancing { try $0.float(at: $1()) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try advancing { try $0.integer(type, at: $1()) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try advancing { try $0.integer(type, at: $1()) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try advancing { try $0.integer(type, at: $1()) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try advancing { try $0.integer(type, at: $1()) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try advancing { try $0.integer(type, at: $1()) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try advancing { try $0.integer(type, at: $1()) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try advancing { try $0.integer(type, at: $1()) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try advancing { try $0.integer(type, at: $1()) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try advancing { try $0.integer(type, at: $1()) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try advancing { try $0.integer(type, at: $1()) } }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try advancing { try $0.integer(type, at: $1()) } }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try advancing { try $0.integer(type, at: $1()) } }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try advancing { try TaggedDecoding.value(type, from: $0, at: $1()) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try advancing { KeyedDecodingContainer(try TaggedKeyedDecoding<NestedKey>(node: $0, codingPath: $1())) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try advancing { try TaggedUnkeyedDecoding(node: $0, codingPath: $1()) }
    }

    mutating func superDecoder() throws -> any Decoder {
        try advancing { TaggedDecoding(node: $0, codingPath: $1()) }
    }
}

struct TaggedSingleValueDecoding: SingleValueDecodingContainer {
    let node: TaggedNode
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { node.kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try node.boolean(at: codingPath) }
    func decode(_ type: String.Type) throws -> String { try node.string(at: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try node.floatingPoint(at: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try node.float(at: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try node.integer(type, at: codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try node.integer(type, at: codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try node.integer(type, at: codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try node.integer(type, at: codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try node.integer(type, at: codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try node.integer(type, at: codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try node.integer(type, at: codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try node.integer(type, at: codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try node.integer(type, at: codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try node.integer(type, at: codingPath) }
    func decode(_ type: Int128.Type) throws -> Int128 { try node.integer(type, at: codingPath) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try node.integer(type, at: codingPath) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try TaggedDecoding.value(type, from: node, at: codingPath)
    }
}
