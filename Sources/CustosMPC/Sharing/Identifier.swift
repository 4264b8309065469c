import CustosCore
import CustosCrypto

/// A participant: the nonzero scalar at which its Shamir share is evaluated (RFC 9591 §4.1
/// "identifier"). Identifiers order numerically, and errors name participants by them.
public struct Identifier<Suite: Ciphersuite>: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let scalar: Suite.Scalar
    private let sortKey: [UInt8]

    public init(_ scalar: Suite.Scalar) throws(MPCError) {
        guard !scalar.isZero else { throw MPCError(.invalidParameters, "an identifier must not be zero") }
        self.scalar = scalar
        self.sortKey = scalar.bigEndianRepresentation
    }

    /// The identifier with the small integer value `value` (1, 2, 3, …).
    public init(_ value: UInt64) throws(MPCError) {
        try self.init(Suite.Scalar(value))
    }

    public static func == (a: Identifier, b: Identifier) -> Bool { a.sortKey == b.sortKey }
    public func hash(into hasher: inout Hasher) { hasher.combine(sortKey) }
    public static func < (a: Identifier, b: Identifier) -> Bool { a.sortKey.lexicographicallyPrecedes(b.sortKey) }

    /// Identifiers are public; they print as their numeric value in hex without leading zeros.
    public var description: String {
        let hex = sortKey.hexString
        let trimmed = hex.drop(while: { $0 == "0" })
        return trimmed.isEmpty ? "0" : String(trimmed)
    }
}
