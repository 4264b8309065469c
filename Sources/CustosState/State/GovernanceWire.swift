import CustosCore

// The framing of governance payloads, genesis documents and state digests on the shared
// canonical codec: a length-prefixed tag string first, then big-endian integers, 32-bit
// length-prefixed byte and UTF-8 strings and counted lists. Every value has exactly one
// encoding, so digests are the same on every node.

/// Reads one governance encoding, reporting `GovernanceError.malformed`.
typealias GovernanceReader = CanonicalReader<GovernanceErrorCode>

/// The limits a governance field has unless its reader names another.
enum GovernanceWire {
    static let maximumBytes = 64 * 1024
    static let maximumString = 1024
    static let maximumListCount = 256
}

extension CanonicalWriter {
    /// Starts a governance encoding with its tag.
    init(tag: String) {
        self.init()
        append(string: tag)
    }
}

extension CanonicalReader where Code == GovernanceErrorCode {
    /// Starts reading an encoding that must begin with `tag`; `what` names it in errors.
    init(_ bytes: [UInt8], tag: String, what: String) throws(GovernanceError) {
        self.init(bytes, what: what)
        let found = try string("tag")
        guard found == tag else { throw fail("is not a \(tag) encoding") }
    }

    mutating func bytes(_ field: String, max: Int = GovernanceWire.maximumBytes) throws(GovernanceError) -> [UInt8] {
        try lengthPrefixed(field, max: max)
    }

    mutating func string(_ field: String) throws(GovernanceError) -> String {
        try string(field, max: GovernanceWire.maximumString)
    }

    mutating func strings(_ field: String, maxCount: Int = GovernanceWire.maximumListCount) throws(GovernanceError) -> [String] {
        try strings(field, maxCount: maxCount, maxLength: GovernanceWire.maximumString)
    }

    mutating func optionalBytes(_ field: String) throws(GovernanceError) -> [UInt8]? {
        try optional(field, max: GovernanceWire.maximumBytes)
    }
}

extension GovernanceErrorCode: DecodingErrorCode {
    package static var malformedEncoding: Self { .malformed }
    package static var encodingLimitExceeded: Self { .malformed }
}
