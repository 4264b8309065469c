/// Strict reader for `GovernanceWriter` encodings: bounded lengths, valid UTF-8, no trailing bytes.
struct GovernanceReader {
    private let bytes: [UInt8]
    private var offset = 0
    private let what: String

    init(_ bytes: [UInt8], tag: String, what: String) throws(GovernanceError) {
        self.bytes = bytes
        self.what = what
        let found = try string("tag")
        guard found == tag else { throw fail("is not a \(tag) encoding") }
    }

    func fail(_ message: String) -> GovernanceError {
        GovernanceError(.malformed, "\(what): \(message)")
    }

    private mutating func take(_ count: Int, _ field: String) throws(GovernanceError) -> ArraySlice<UInt8> {
        guard count >= 0, bytes.count - offset >= count else { throw fail("\(field) is truncated") }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func uint8(_ field: String) throws(GovernanceError) -> UInt8 { try take(1, field).first! }

    mutating func bool(_ field: String) throws(GovernanceError) -> Bool {
        switch try uint8(field) {
        case 0: return false
        case 1: return true
        default: throw fail("\(field) is not a boolean")
        }
    }

    mutating func uint32(_ field: String) throws(GovernanceError) -> UInt32 {
        try take(4, field).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64(_ field: String) throws(GovernanceError) -> UInt64 {
        try take(8, field).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func bytes(_ field: String, max: Int = 64 * 1024) throws(GovernanceError) -> [UInt8] {
        let count = Int(try uint32("\(field) length"))
        guard count <= max else { throw fail("\(field) of \(count) bytes exceeds \(max)") }
        return Array(try take(count, field))
    }

    mutating func string(_ field: String, max: Int = 1024) throws(GovernanceError) -> String {
        let raw = try bytes(field, max: max)
        guard let s = String(validating: raw, as: UTF8.self) else { throw fail("\(field) is not UTF-8") }
        return s
    }

    mutating func strings(_ field: String, maxCount: Int = 256) throws(GovernanceError) -> [String] {
        let count = Int(try uint32("\(field) count"))
        guard count <= maxCount else { throw fail("\(count) \(field), more than \(maxCount)") }
        var out: [String] = []
        for i in 0..<count { out.append(try string("\(field)[\(i)]")) }
        return out
    }

    mutating func optionalBytes(_ field: String) throws(GovernanceError) -> [UInt8]? {
        try bool("\(field) presence") ? try bytes(field) : nil
    }

    func finish() throws(GovernanceError) {
        guard offset == bytes.count else { throw fail("\(bytes.count - offset) trailing byte(s)") }
    }
}
