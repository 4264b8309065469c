/// A self-describing binary encoding of `Codable` values, for what a process writes and reads
/// back itself (a node's persisted state): every value starts with a one-byte tag, so a `Decoder`
/// can walk it as it walks JSON, but byte strings (`[UInt8]`) are one value of their own instead
/// of a list of numbers, and integers and lengths are binary instead of text. Not canonical
/// (dictionaries are written in their iteration order): never hash or sign it for another party.
///
/// Layout: the header `CTB1`, then one value. A value is its tag and then:
/// - `0` null, `1` false, `2` true: nothing;
/// - `3` signed integer: its zigzag varint; `4` unsigned integer: its varint;
/// - `5` floating point: the 8 bytes of its IEEE 754 double, little-endian;
/// - `6` text: its UTF-8 length as a varint, then the bytes; `7` byte string: the same, raw;
/// - `8` list: its count as a varint, then each value;
/// - `9` map: its count as a varint, then each key (as text without the tag) and its value;
/// - `10` signed 128-bit integer, `11` unsigned 128-bit integer: its 16 bytes, little-endian.
///
/// A varint is LEB128: seven bits per byte, least significant first, the high bit set on every
/// byte but the last.
enum TaggedBinary {
    static let header: [UInt8] = Array("CTB1".utf8)
    /// How deep lists and maps may nest in what is decoded (what is encoded is the caller's own).
    static let maximumDepth = 512

    enum Tag: UInt8 {
        case null = 0, no, yes, signed, unsigned, double, text, bytes, list, map, signedWide, unsignedWide
    }

    /// Refuses a map that holds a key twice (a type that encoded one key twice): it would never
    /// decode.
    static func write(_ node: TaggedNode, to out: inout [UInt8]) throws(TaggedBinaryError) {
        switch node.kind {
        case .unset:
            // A value that wrote nothing at all reads back as an empty map, as JSON's `{}`.
            out.append(Tag.map.rawValue)
            writeVarint(0, to: &out)
        case .null: out.append(Tag.null.rawValue)
        case .bool: out.append(node.scalar != 0 ? Tag.yes.rawValue : Tag.no.rawValue)
        case .signed:
            out.append(Tag.signed.rawValue)
            let v = Int64(bitPattern: node.scalar)
            writeVarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)), to: &out)
        case .unsigned:
            out.append(Tag.unsigned.rawValue)
            writeVarint(node.scalar, to: &out)
        case .double:
            out.append(Tag.double.rawValue)
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: node.scalar >> (8 * UInt64(i)))) }
        case .signedWide, .unsignedWide:
            out.append(node.kind == .signedWide ? Tag.signedWide.rawValue : Tag.unsignedWide.rawValue)
            for i in 0..<16 { out.append(UInt8(truncatingIfNeeded: node.wide >> (8 * UInt128(i)))) }
        case .text:
            out.append(Tag.text.rawValue)
            writeText(node.text, to: &out)
        case .bytes:
            out.append(Tag.bytes.rawValue)
            writeVarint(UInt64(node.bytes.count), to: &out)
            out.append(contentsOf: node.bytes)
        case .list:
            out.append(Tag.list.rawValue)
            writeVarint(UInt64(node.items.count), to: &out)
            for item in node.items { try write(item, to: &out) }
        case .map:
            if node.keys.count > 1, let twice = duplicate(in: node.keys) {
                throw TaggedBinaryError(.malformed, "a value encoded the key \(twice.debugDescription) twice in one map")
            }
            out.append(Tag.map.rawValue)
            writeVarint(UInt64(node.items.count), to: &out)
            for (key, item) in zip(node.keys, node.items) {
                writeText(key, to: &out)
                try write(item, to: &out)
            }
        }
    }

    /// A key that appears more than once. Compared as Swift strings (two Unicode spellings of one
    /// text are one key, as in the `Dictionary` a keyed container reads into), which needs no copy
    /// of each key's bytes.
    static func duplicate(in keys: [String]) -> String? {
        // A struct's few keys pairwise; a dictionary's many through a set.
        if keys.count <= 16 {
            for i in keys.indices.dropFirst() where keys[..<i].contains(keys[i]) { return keys[i] }
            return nil
        }
        var seen = Set<String>(minimumCapacity: keys.count)
        return keys.first { !seen.insert($0).inserted }
    }

    static func writeVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func writeText(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        }
    }

    /// Reads one value at a time from `bytes`, refusing what runs past the end.
    struct Reader {
        let bytes: [UInt8]
        private(set) var offset: Int

        init(_ bytes: [UInt8], offset: Int) {
            self.bytes = bytes
            self.offset = offset
        }

        var isAtEnd: Bool { offset == bytes.count }

        mutating func value(depth: Int) throws(TaggedBinaryError) -> TaggedNode {
            let at = offset
            let raw = try byte()
            guard let tag = Tag(rawValue: raw) else { throw TaggedBinaryError(.malformed, "unknown tag \(raw) at byte \(at)") }
            let node = TaggedNode()
            switch tag {
            case .null: node.kind = .null
            case .no, .yes:
                node.kind = .bool
                node.scalar = tag == .yes ? 1 : 0
            case .signed:
                let z = try varint()
                node.kind = .signed
                node.scalar = UInt64(bitPattern: Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1))
            case .unsigned:
                node.kind = .unsigned
                node.scalar = try varint()
            case .double:
                let raw = try take(8)
                node.kind = .double
                node.scalar = raw.reversed().reduce(0) { $0 << 8 | UInt64($1) }
            case .signedWide, .unsignedWide:
                let raw = try take(16)
                node.kind = tag == .signedWide ? .signedWide : .unsignedWide
                node.wide = raw.reversed().reduce(0) { $0 << 8 | UInt128($1) }
            case .text:
                node.kind = .text
                node.text = try text()
            case .bytes:
                node.kind = .bytes
                node.bytes = Array(try take(try count()))
            case .list:
                guard depth < TaggedBinary.maximumDepth else { throw Self.tooDeep(at) }
                let n = try count()
                node.kind = .list
                // What the bytes claim is only reserved up to a bound: nested claims would add up.
                node.items.reserveCapacity(min(n, 1024))
                for _ in 0..<n { node.items.append(try value(depth: depth + 1)) }
            case .map:
                guard depth < TaggedBinary.maximumDepth else { throw Self.tooDeep(at) }
                let n = try count()
                node.kind = .map
                node.keys.reserveCapacity(min(n, 1024))
                node.items.reserveCapacity(min(n, 1024))
                for _ in 0..<n {
                    node.keys.append(try text())
                    node.items.append(try value(depth: depth + 1))
                }
                if n > 1, let twice = TaggedBinary.duplicate(in: node.keys) {
                    throw TaggedBinaryError(.malformed, "the map at byte \(at) holds the key \(twice.debugDescription) twice")
                }
            }
            return node
        }

        private static func tooDeep(_ at: Int) -> TaggedBinaryError {
            TaggedBinaryError(.malformed, "lists and maps nest deeper than \(TaggedBinary.maximumDepth) at byte \(at)")
        }

        private mutating func byte() throws(TaggedBinaryError) -> UInt8 {
            guard offset < bytes.count else { throw TaggedBinaryError(.malformed, "the encoding ends at byte \(offset) inside a value") }
            defer { offset += 1 }
            return bytes[offset]
        }

        private mutating func varint() throws(TaggedBinaryError) -> UInt64 {
            let at = offset
            var value: UInt64 = 0
            for shift in stride(from: UInt64(0), to: 64, by: 7) {
                let b = try byte()
                guard shift < 63 || b <= 1 else { break }
                value |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return value }
            }
            throw TaggedBinaryError(.malformed, "the varint at byte \(at) does not fit 64 bits")
        }

        /// A length or count: no more than the bytes left (every element takes one at least).
        private mutating func count() throws(TaggedBinaryError) -> Int {
            let at = offset
            let n = try varint()
            guard n <= UInt64(bytes.count - offset) else {
                throw TaggedBinaryError(.malformed, "the length \(n) at byte \(at) runs past the end (\(bytes.count - offset) bytes left)")
            }
            return Int(n)
        }

        private mutating func take(_ n: Int) throws(TaggedBinaryError) -> ArraySlice<UInt8> {
            guard n <= bytes.count - offset else {
                throw TaggedBinaryError(.malformed, "\(n) bytes at byte \(offset) run past the end (\(bytes.count - offset) left)")
            }
            defer { offset += n }
            return bytes[offset..<offset + n]
        }

        private mutating func text() throws(TaggedBinaryError) -> String {
            let at = offset
            let raw = try take(try count())
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw TaggedBinaryError(.malformed, "the text at byte \(at) is not UTF-8")
            }
            return text
        }
    }
}

/// One value of the tree an encoding is built as, or read into. A reference, so that a container
/// handed out can fill its node after its parent holds it.
final class TaggedNode {
    enum Kind { case unset, null, bool, signed, unsigned, double, text, bytes, list, map, signedWide, unsignedWide }

    var kind = Kind.unset
    /// A boolean (0 or 1), an integer's bits, or a double's bits.
    var scalar: UInt64 = 0
    /// A 128-bit integer's bits.
    var wide: UInt128 = 0
    var text = ""
    var bytes: [UInt8] = []
    /// A list's values, or a map's values in the order of `keys`.
    var items: [TaggedNode] = []
    var keys: [String] = []

    init() {}

    init(_ kind: Kind, scalar: UInt64 = 0) {
        self.kind = kind
        self.scalar = scalar
    }

    static func signed(_ value: some FixedWidthInteger) -> TaggedNode { TaggedNode(.signed, scalar: UInt64(bitPattern: Int64(value))) }
    static func unsigned(_ value: some FixedWidthInteger) -> TaggedNode { TaggedNode(.unsigned, scalar: UInt64(value)) }
    static func signedWide(_ value: Int128) -> TaggedNode {
        let node = TaggedNode(.signedWide)
        node.wide = UInt128(bitPattern: value)
        return node
    }

    static func unsignedWide(_ value: UInt128) -> TaggedNode {
        let node = TaggedNode(.unsignedWide)
        node.wide = value
        return node
    }

    static func double(_ value: Double) -> TaggedNode { TaggedNode(.double, scalar: value.bitPattern) }
    static func bool(_ value: Bool) -> TaggedNode { TaggedNode(.bool, scalar: value ? 1 : 0) }

    static func text(_ value: String) -> TaggedNode {
        let node = TaggedNode(.text)
        node.text = value
        return node
    }

    static func bytes(_ value: [UInt8]) -> TaggedNode {
        let node = TaggedNode(.bytes)
        node.bytes = value
        return node
    }

    /// Takes on what `other` holds (a single-value container encoding a whole value into its node).
    func take(_ other: TaggedNode) {
        kind = other.kind
        scalar = other.scalar
        wide = other.wide
        text = other.text
        bytes = other.bytes
        items = other.items
        keys = other.keys
    }
}
