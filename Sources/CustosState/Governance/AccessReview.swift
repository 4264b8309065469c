/// An access review with a deadline (`open-access-review`): every role grant of every active
/// person when it opened, each to be re-confirmed (`confirm-access`) or revoked before the
/// deadline; at the deadline's block time every grant of it not re-confirmed and still held
/// lapses, on every node alike. One is open at a time; the last closed one is kept.
public struct AccessReview: Sendable, Hashable, Codable {
    /// The operation that opened it.
    public let id: String
    /// Block times (ms).
    public let openedAt: UInt64
    public let deadline: UInt64
    /// Every grant when it opened, as `"user role"`, sorted.
    public let grants: [String]
    /// The grants re-confirmed so far, sorted.
    public internal(set) var confirmed: [String]
    /// Once closed at its deadline: the grants that lapsed (sorted); nil while open.
    public internal(set) var lapsed: [String]?

    /// The grants neither re-confirmed yet nor closed.
    public var unconfirmed: [String] { grants.filter { !confirmed.contains($0) } }
    public var isOpen: Bool { lapsed == nil }
}
