/// Builds one canonical binary encoding: integers big-endian at their full width, booleans as
/// one byte 0 or 1, byte strings and lists behind a length or count (32 bits unless a narrower
/// `LengthPrefix` is named), raw bytes only where the reader knows their size. Every value has
/// exactly one encoding, so hashes and signatures over it are well defined.
package struct CanonicalWriter: Sendable {
    package private(set) var bytes: [UInt8] = []

    package init() {}

    package mutating func reserve(_ count: Int) { bytes.reserveCapacity(count) }

    /// Bytes as they are, with no length: only for fields whose size the reader knows.
    package mutating func append(raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    /// An unsigned integer, big-endian, at its type's full width.
    package mutating func append<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        for shift in stride(from: T.bitWidth - 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }

    /// One byte: 1 for true, 0 for false.
    package mutating func append(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// A length or a list's count. Precondition: it fits the prefix.
    package mutating func append(count: Int, prefix: LengthPrefix = .uint32) {
        precondition(count >= 0 && count <= prefix.maximum, "a count of \(count) does not fit its prefix")
        switch prefix {
        case .uint8: append(UInt8(count))
        case .uint16: append(UInt16(count))
        case .uint32: append(UInt32(count))
        }
    }

    /// A byte string behind its length.
    package mutating func append(lengthPrefixed raw: some Collection<UInt8>, prefix: LengthPrefix = .uint32) {
        append(count: raw.count, prefix: prefix)
        bytes.append(contentsOf: raw)
    }

    /// A UTF-8 string behind its length in bytes.
    package mutating func append(string: String, prefix: LengthPrefix = .uint32) {
        append(lengthPrefixed: Array(string.utf8), prefix: prefix)
    }

    /// A counted list of length-prefixed UTF-8 strings.
    package mutating func append(strings: [String]) {
        append(count: strings.count)
        for s in strings { append(string: s) }
    }

    /// A presence byte (0 or 1), then the length-prefixed bytes when present.
    package mutating func append(optional raw: [UInt8]?) {
        append(raw != nil)
        if let raw { append(lengthPrefixed: raw) }
    }

    /// Hands the buffer to `body` in place, for an owner that must copy it out and erase it
    /// (secret encodings); what `body` leaves in it stays the writer's.
    package mutating func withBuffer<R>(_ body: (inout [UInt8]) -> R) -> R { body(&bytes) }
}
