/// Rolling-window totals by limit name and key (the destination, counterparty, initiator or
/// vault the limit is kept per): the USD notional and number of transfers already made in the
/// window. The ledger maintains them; `CompiledPolicy.windowTotals(history:at:)` derives them
/// from approved transfers.
public struct WindowTotals: Sendable, Hashable {
    public struct Total: Sendable, Hashable {
        public var usd: FixedDecimal
        public var count: Int

        public init(usd: FixedDecimal, count: Int) {
            self.usd = usd
            self.count = count
        }

        public static let zero = Total(usd: .zero, count: 0)
    }

    private var totals: [String: [String: Total]]

    public init() { totals = [:] }

    public subscript(limit: String, key: String) -> Total {
        get { totals[limit]?[key] ?? .zero }
        set {
            // A key back at zero is dropped, so totals hold only what is inside some window.
            if newValue == .zero {
                totals[limit]?[key] = nil
                if totals[limit]?.isEmpty == true { totals[limit] = nil }
            } else {
                totals[limit, default: [:]][key] = newValue
            }
        }
    }

    /// All totals of one limit, by key.
    public func totals(of limit: String) -> [String: Total] { totals[limit] ?? [:] }
}
