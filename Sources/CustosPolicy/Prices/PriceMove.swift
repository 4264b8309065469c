/// A median that moved by more than the policy's `max_move_percent` from the median before it,
/// at the price entry that moved it: shown in explanations, and USD clauses fail closed while it
/// stands (`PricePolicy.refusal(of:)`).
public struct PriceMove: Sendable, Hashable, Codable {
    public var from: FixedDecimal
    public var to: FixedDecimal
    /// |to − from| / from × 100.
    public var percent: FixedDecimal
    /// The policy's `max_move_percent` it went beyond.
    public var bound: FixedDecimal
    /// Block time (seconds) of the entry that moved it.
    public var at: Int64

    public init(from: FixedDecimal, to: FixedDecimal, percent: FixedDecimal, bound: FixedDecimal, at: Int64) {
        self.from = from
        self.to = to
        self.percent = percent
        self.bound = bound
        self.at = at
    }

    /// The percentage to two decimals, for people.
    public var percentText: String {
        FixedDecimal(raw: percent.raw / 10_000_000_000_000_000 * 10_000_000_000_000_000).grouped
    }
}
