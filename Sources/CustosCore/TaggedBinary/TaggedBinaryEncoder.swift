/// Encodes a value in the tagged binary encoding (`TaggedBinary`): `[UInt8]` values as byte
/// strings, everything else as its `Encodable` conformance writes it (so `Data` and other
/// collections of bytes as lists of numbers). A value that encodes one key twice in one map is
/// refused (`TaggedBinaryError`), where JSON would keep the last.
public struct TaggedBinaryEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let root = try TaggedEncoding.node(for: value, at: [])
        var out = TaggedBinary.header
        try TaggedBinary.write(root, to: &out)
        return out
    }
}

/// The key a super encoder or decoder is filed under, as JSON files it.
struct TaggedSuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }
    init() {}
    init?(stringValue: String) { nil }
    init?(intValue: Int) { nil }
}

/// A list element's place in a coding path.
struct TaggedIndexKey: CodingKey {
    let index: Int
    var stringValue: String { "Index \(index)" }
    var intValue: Int? { index }
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.index = intValue }
}

/// The `Encoder` that fills one node.
final class TaggedEncoding: Encoder {
    let node: TaggedNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: TaggedNode, codingPath: [any CodingKey]) {
        self.node = node
        self.codingPath = codingPath
    }

    /// `value` as a node: a byte string for `[UInt8]`, else what its conformance writes.
    /// The path is only built for a value that encodes itself (it is rarely read: in errors).
    static func node<T: Encodable>(for value: T, at path: @autoclosure () -> [any CodingKey]) throws -> TaggedNode {
        if T.self == [UInt8].self { return .bytes(value as! [UInt8]) }
        if T.self == String.self { return .text(value as! String) }
        let node = TaggedNode()
        try value.encode(to: TaggedEncoding(node: node, codingPath: path()))
        return node
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.kind != .map { node.take(TaggedNode(.map)) }
        return KeyedEncodingContainer(TaggedKeyedEncoding<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.kind != .list { node.take(TaggedNode(.list)) }
        return TaggedUnkeyedEncoding(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        TaggedSingleValueEncoding(node: node, codingPath: codingPath)
    }
}

struct TaggedKeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: TaggedNode
    let codingPath: [any CodingKey]

    private func put(_ child: TaggedNode, _ key: any CodingKey) {
        node.keys.append(key.stringValue)
        node.items.append(child)
    }

    mutating func encodeNil(forKey key: Key) throws { put(TaggedNode(.null), key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.text(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(.double(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.signed(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(.signed(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(.signed(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(.signed(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(.signed(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(.unsigned(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.unsigned(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.unsigned(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.unsigned(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(.unsigned(value), key) }
    mutating func encode(_ value: Int128, forKey key: Key) throws { put(.signedWide(value), key) }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { put(.unsignedWide(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        put(try TaggedEncoding.node(for: value, at: codingPath + [key]), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = TaggedNode(.map)
        put(child, key)
        return KeyedEncodingContainer(TaggedKeyedEncoding<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = TaggedNode(.list)
        put(child, key)
        return TaggedUnkeyedEncoding(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder {
        let child = TaggedNode()
        put(child, TaggedSuperKey())
        return TaggedEncoding(node: child, codingPath: codingPath + [TaggedSuperKey()])
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = TaggedNode()
        put(child, key)
        return TaggedEncoding(node: child, codingPath: codingPath + [key])
    }
}

struct TaggedUnkeyedEncoding: UnkeyedEncodingContainer {
    let node: TaggedNode
    let codingPath: [any CodingKey]
    var count: Int { node.items.count }

    private func append(_ child: TaggedNode) { node.items.append(child) }

    mutating func encodeNil() throws { append(TaggedNode(.null)) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.text(value)) }
    mutating func encode(_ value: Double) throws { append(.double(value)) }
    mutating func encode(_ value: Float) throws { append(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { append(.signed(value)) }
    mutating func encode(_ value: Int8) throws { append(.signed(value)) }
    mutating func encode(_ value: Int16) throws { append(.signed(value)) }
    mutating func encode(_ value: Int32) throws { append(.signed(value)) }
    mutating func encode(_ value: Int64) throws { append(.signed(value)) }
    mutating func encode(_ value: UInt) throws { append(.unsigned(value)) }
    mutating func encode(_ value: UInt8) throws { append(.unsigned(value)) }
    mutating func encode(_ value: UInt16) throws { append(.unsigned(value)) }
    mutating func encode(_ value: UInt32) throws { append(.unsigned(value)) }
    mutating func encode(_ value: UInt64) throws { append(.unsigned(value)) }
    mutating func encode(_ value: Int128) throws { append(.signedWide(value)) }
    mutating func encode(_ value: UInt128) throws { append(.unsignedWide(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        append(try TaggedEncoding.node(for: value, at: codingPath + [TaggedIndexKey(count)]))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = TaggedNode(.map)
        let path = codingPath + [TaggedIndexKey(count)]
        append(child)
        return KeyedEncodingContainer(TaggedKeyedEncoding<NestedKey>(node: child, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = TaggedNode(.list)
        let path = codingPath + [TaggedIndexKey(count)]
        append(child)
        return TaggedUnkeyedEncoding(node: child, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let child = TaggedNode()
        let path = codingPath + [TaggedIndexKey(count)]
        append(child)
        return TaggedEncoding(node: child, codingPath: path)
    }
}

struct TaggedSingleValueEncoding: SingleValueEncodingContainer {
    let node: TaggedNode
    let codingPath: [any CodingKey]

    private func set(_ value: TaggedNode) { node.take(value) }

    mutating func encodeNil() throws { set(TaggedNode(.null)) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.text(value)) }
    mutating func encode(_ value: Double) throws { set(.double(value)) }
    mutating func encode(_ value: Float) throws { set(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { set(.signed(value)) }
    mutating func encode(_ value: Int8) throws { set(.signed(value)) }
    mutating func encode(_ value: Int16) throws { set(.signed(value)) }
    mutating func encode(_ value: Int32) throws { set(.signed(value)) }
    mutating func encode(_ value: Int64) throws { set(.signed(value)) }
    mutating func encode(_ value: UInt) throws { set(.unsigned(value)) }
    mutating func encode(_ value: UInt8) throws { set(.unsigned(value)) }
    mutating func encode(_ value: UInt16) throws { set(.unsigned(value)) }
    mutating func encode(_ value: UInt32) throws { set(.unsigned(value)) }
    mutating func encode(_ value: UInt64) throws { set(.unsigned(value)) }
    mutating func encode(_ value: Int128) throws { set(.signedWide(value)) }
    mutating func encode(_ value: UInt128) throws { set(.unsignedWide(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        set(try TaggedEncoding.node(for: value, at: codingPath))
    }
}
