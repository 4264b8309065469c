import CustosCore

/// One log entry: a kind (`transfer.request`, `governance.approve`, …), the payload in its
/// canonical binary encoding, and the submitter's authorization material (signatures, WebAuthn
/// assertions). The ledger treats payload and authorization as opaque; validating them against
/// the committed state is the job of the `EntryValidator` the node plugs in.
public struct Entry: Sendable, Hashable {
    public static let maximumKindLength = 64
    public static let maximumPayloadBytes = 256 * 1024
    public static let maximumAuthorizationBytes = 64 * 1024

    public let kind: String
    public let payload: [UInt8]
    public let authorization: [UInt8]

    /// Refuses an empty or overlong kind (printable ASCII only) and oversized payloads.
    public init(kind: String, payload: [UInt8], authorization: [UInt8] = []) throws(LedgerError) {
        try Self.checkKind(kind)
        guard payload.count <= Self.maximumPayloadBytes else {
            throw LedgerError(.limitExceeded, "entry payload of \(payload.count) bytes, more than \(Self.maximumPayloadBytes)")
        }
        guard authorization.count <= Self.maximumAuthorizationBytes else {
            throw LedgerError(.limitExceeded, "entry authorization of \(authorization.count) bytes, more than \(Self.maximumAuthorizationBytes)")
        }
        self.kind = kind
        self.payload = payload
        self.authorization = authorization
    }

    static func checkKind(_ kind: String) throws(LedgerError) {
        let utf8 = kind.utf8
        guard (1...maximumKindLength).contains(utf8.count) else {
            throw LedgerError(.malformedEncoding, "an entry kind has 1 to \(maximumKindLength) bytes, not \(utf8.count)")
        }
        guard utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw LedgerError(.malformedEncoding, "an entry kind is printable ASCII without spaces")
        }
    }

    /// Bytes this entry takes inside a block encoding.
    var encodedSize: Int { 1 + kind.utf8.count + 4 + payload.count + 4 + authorization.count }
}

extension CanonicalWriter {
    mutating func append(_ entry: Entry) {
        append(string: entry.kind, prefix: .uint8)
        append(lengthPrefixed: entry.payload)
        append(lengthPrefixed: entry.authorization)
    }
}

extension CanonicalReader where Code == LedgerErrorCode {
    mutating func entry(_ field: @autoclosure () -> String) throws(LedgerError) -> Entry {
        let kind = try string("\(field()) kind", max: Int(UInt8.max), prefix: .uint8)
        let payload = try lengthPrefixed("\(field()) payload", max: Entry.maximumPayloadBytes)
        let authorization = try lengthPrefixed("\(field()) authorization", max: Entry.maximumAuthorizationBytes)
        do { return try Entry(kind: kind, payload: payload, authorization: authorization) } catch {
            throw fail("\(field()): \(error.reason)")
        }
    }
}
