/// Reads one `CanonicalWriter` encoding strictly: it refuses truncation, lengths and counts above
/// their limits before anything is allocated for them, invalid UTF-8 and non-boolean bytes, and
/// (at `finish`) trailing bytes. Every error is reported in the caller's domain and names the
/// value being read and the field that was wrong.
package struct CanonicalReader<Code: DecodingErrorCode> {
    package typealias Failure = CustosError<Code>

    private let bytes: [UInt8]
    package private(set) var offset = 0
    /// Names the value being read in every error ("block", "governance proposal").
    package let what: String

    package init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    package var remaining: Int { bytes.count - offset }

    /// The next `count` bytes as they are.
    package mutating func read(_ count: Int, _ field: @autoclosure () -> String) throws(Failure) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else {
            throw fail("truncated at \(field()): needs \(count) bytes, \(remaining) left")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// An unsigned integer, big-endian, at its type's full width.
    package mutating func integer<T: FixedWidthInteger & UnsignedInteger>(
        _ type: T.Type, _ field: @autoclosure () -> String
    ) throws(Failure) -> T {
        try read(T.bitWidth / 8, field()).reduce(0) { $0 << 8 | T($1) }
    }

    package mutating func uint8(_ field: @autoclosure () -> String) throws(Failure) -> UInt8 { try integer(UInt8.self, field()) }
    package mutating func uint16(_ field: @autoclosure () -> String) throws(Failure) -> UInt16 { try integer(UInt16.self, field()) }
    package mutating func uint32(_ field: @autoclosure () -> String) throws(Failure) -> UInt32 { try integer(UInt32.self, field()) }
    package mutating func uint64(_ field: @autoclosure () -> String) throws(Failure) -> UInt64 { try integer(UInt64.self, field()) }

    /// One byte that must be 0 or 1.
    package mutating func bool(_ field: @autoclosure () -> String) throws(Failure) -> Bool {
        switch try uint8(field()) {
        case 0: return false
        case 1: return true
        case let other: throw fail("\(field()) is \(other), not a boolean")
        }
    }

    /// A length or count, refused above `max` before anything behind it is read.
    package mutating func count(
        _ field: @autoclosure () -> String, max: Int, prefix: LengthPrefix = .uint32
    ) throws(Failure) -> Int {
        let value: Int
        switch prefix {
        case .uint8: value = Int(try uint8(field()))
        case .uint16: value = Int(try uint16(field()))
        case .uint32: value = Int(try uint32(field()))
        }
        guard value <= max else {
            throw Failure(.encodingLimitExceeded, "\(what): \(field()) is \(value), more than the limit \(max)")
        }
        return value
    }

    /// A byte string behind its length, at most `max` bytes.
    package mutating func lengthPrefixed(
        _ field: @autoclosure () -> String, max: Int, prefix: LengthPrefix = .uint32
    ) throws(Failure) -> [UInt8] {
        let length = try count("\(field()) length", max: max, prefix: prefix)
        return Array(try read(length, field()))
    }

    /// A UTF-8 string behind its length in bytes, at most `max` bytes.
    package mutating func string(
        _ field: @autoclosure () -> String, max: Int, prefix: LengthPrefix = .uint32
    ) throws(Failure) -> String {
        let raw = try lengthPrefixed(field(), max: max, prefix: prefix)
        guard let string = String(validating: raw, as: UTF8.self) else { throw fail("\(field()) is not valid UTF-8") }
        return string
    }

    /// A counted list of at most `maxCount` strings of at most `maxLength` bytes each.
    package mutating func strings(_ field: @autoclosure () -> String, maxCount: Int, maxLength: Int) throws(Failure) -> [String] {
        let count = try count("\(field()) count", max: maxCount)
        var out: [String] = []
        out.reserveCapacity(count)
        for i in 0..<count { out.append(try string("\(field())[\(i)]", max: maxLength)) }
        return out
    }

    /// A presence byte, then the length-prefixed bytes when present.
    package mutating func optional(_ field: @autoclosure () -> String, max: Int) throws(Failure) -> [UInt8]? {
        try bool("\(field()) presence") ? try lengthPrefixed(field(), max: max) : nil
    }

    /// Refuses what is left: an encoding ends exactly where its value does.
    package func finish() throws(Failure) {
        guard remaining == 0 else { throw fail("\(remaining) trailing bytes") }
    }

    /// The domain's malformed-encoding error for the value being read.
    package func fail(_ reason: String) -> Failure {
        Failure(.malformedEncoding, "\(what): \(reason)")
    }
}
