import CustosCore

/// A member's name in the cluster: 1 to 64 characters from `a-z 0-9 . _ -`, so that it is the
/// same string in configuration files, logs, votes and certificates.
public struct NodeID: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral, Codable {
    public static let maximumLength = 64

    public let rawValue: String

    public init(_ rawValue: String) throws(LedgerError) {
        let utf8 = Array(rawValue.utf8)
        guard (1...Self.maximumLength).contains(utf8.count) else {
            throw LedgerError(.invalidConfiguration, "a node id has 1 to \(Self.maximumLength) characters, not \(utf8.count)")
        }
        for c in utf8 {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                throw LedgerError(.invalidConfiguration, "a node id uses only a-z 0-9 . _ - (got \(c) in position \(utf8.firstIndex(of: c)!))")
            }
        }
        self.rawValue = rawValue
    }

    /// For literals in code and tests; an invalid literal is a programming error.
    public init(stringLiteral value: String) {
        do { try self.init(value) } catch { preconditionFailure("invalid node id literal \(value): \(error)") }
    }

    public var description: String { rawValue }

    public static func < (a: NodeID, b: NodeID) -> Bool { Array(a.rawValue.utf8).lexicographicallyPrecedes(Array(b.rawValue.utf8)) }
}

extension CanonicalWriter {
    mutating func append(_ id: NodeID) { append(string: id.rawValue, prefix: .uint8) }
}

extension CanonicalReader where Code == LedgerErrorCode {
    mutating func nodeID(_ field: @autoclosure () -> String) throws(LedgerError) -> NodeID {
        let raw = try string(field(), max: Int(UInt8.max), prefix: .uint8)
        do { return try NodeID(raw) } catch { throw fail("\(field()): \(error.reason)") }
    }
}
