/// A median that moved by more than the policy's `max_move_percent` from the median before it,
/// at the price entry that moved it: flagged in explanations, not refused.
public struct PriceMove: Sendable, Hashable {
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
}
