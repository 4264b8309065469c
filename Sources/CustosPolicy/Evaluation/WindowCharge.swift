/// What one request approved for signing adds to the policy's rolling windows: the USD notional
/// it counts at (zero without a price: it still counts toward count limits) and, for each limit
/// in the policy's order, the key it is kept per (destination, counterparty, initiator, vault
/// or `*`), exactly as evaluation keys it.
public struct WindowCharge: Sendable, Hashable {
    public let usd: FixedDecimal
    /// One key per limit of the policy that computed it, in `CompiledPolicy.windowLimits` order.
    public let keys: [String]

    public init(usd: FixedDecimal, keys: [String]) {
        self.usd = usd
        self.keys = keys
    }
}
