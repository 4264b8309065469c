/// Reads one canonical encoding, refusing truncation, trailing bytes, a wrong version or kind,
/// and counts above their limits before anything is allocated for them.
struct LedgerReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let what: String

    /// Starts reading a top-level value of `kind`; `what` names it in errors.
    init(_ bytes: [UInt8], kind: UInt8, what: String) throws(LedgerError) {
        self.bytes = bytes
        self.what = what
        self.offset = 0
        guard bytes.count >= 2 else {
            throw LedgerError(.malformedEncoding, "\(what): truncated header: \(bytes.count) bytes")
        }
        guard bytes[0] == LedgerWire.version else {
            throw LedgerError(.malformedEncoding, "\(what): unknown encoding version \(bytes[0])")
        }
        guard bytes[1] == kind else {
            throw LedgerError(.malformedEncoding, "\(what): wrong kind tag \(bytes[1]), expected \(kind)")
        }
        offset = 2
    }

    var remaining: Int { bytes.count - offset }

    mutating func read(_ count: Int, _ field: @autoclosure () -> String) throws(LedgerError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else {
            throw LedgerError(
                .malformedEncoding, "\(what): truncated at \(field()): needs \(count) bytes, \(remaining) left")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func uint8(_ field: @autoclosure () -> String) throws(LedgerError) -> UInt8 {
        try read(1, field()).first!
    }

    mutating func uint16(_ field: @autoclosure () -> String) throws(LedgerError) -> UInt16 {
        let raw = try read(2, field())
        return raw.reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func uint32(_ field: @autoclosure () -> String) throws(LedgerError) -> UInt32 {
        let raw = try read(4, field())
        return raw.reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64(_ field: @autoclosure () -> String) throws(LedgerError) -> UInt64 {
        let raw = try read(8, field())
        return raw.reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func hash(_ field: @autoclosure () -> String) throws(LedgerError) -> LedgerHash {
        LedgerHash(unchecked: Array(try read(32, field())))
    }

    /// A 32-bit count or length, refused above `max` before anything is read behind it.
    mutating func count(_ field: @autoclosure () -> String, max: Int) throws(LedgerError) -> Int {
        let value = Int(try uint32(field()))
        guard value <= max else {
            throw LedgerError(.limitExceeded, "\(what): \(field()) is \(value), more than the limit \(max)")
        }
        return value
    }

    mutating func lengthPrefixed(_ field: @autoclosure () -> String, max: Int) throws(LedgerError) -> [UInt8] {
        let length = try count("\(field()) length", max: max)
        return Array(try read(length, field()))
    }

    /// An 8-bit-length string that must be valid UTF-8.
    mutating func shortString(_ field: @autoclosure () -> String) throws(LedgerError) -> String {
        let length = Int(try uint8("\(field()) length"))
        let raw = Array(try read(length, field()))
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw LedgerError(.malformedEncoding, "\(what): \(field()) is not valid UTF-8")
        }
        return string
    }

    func finish() throws(LedgerError) {
        guard remaining == 0 else {
            throw LedgerError(.malformedEncoding, "\(what): \(remaining) trailing bytes")
        }
    }

    func fail(_ reason: String) -> LedgerError {
        LedgerError(.malformedEncoding, "\(what): \(reason)")
    }
}
