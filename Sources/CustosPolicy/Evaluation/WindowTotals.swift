/// Rolling-window totals by limit name and key (the destination, counterparty, initiator or
/// vault the limit is kept per): the USD notional and number of transfers already made in the
/// window. The ledger maintains them; `CompiledPolicy.windowTotals(history:at:)` derives them
/// from approved transfers.
public struct WindowTotals: Sendable, Hashable, Codable {
    public struct Total: Sendable, Hashable, Codable {
        public var usd: FixedDecimal
        public var count: Int

        public init(usd: FixedDecimal, count: Int) {
            self.usd = usd
            self.count = count
        }

        public static let zero = Total(usd: .zero, count: 0)
    }

    private var totals: [String: [String: Total]]
    /// Totals that stand in for those of `totals` in a view made by `replacing(_:)`, so that a
    /// view of a large room with one request's charge taken off costs the keys it changes, not a
    /// copy of the room. Writing folds them in first.
    private var replaced: [String: [String: Total]] = [:]

    public init() { totals = [:] }

    public subscript(limit: String, key: String) -> Total {
        get { replaced[limit]?[key] ?? totals[limit]?[key] ?? .zero }
        set {
            if !replaced.isEmpty { fold() }
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
    public func totals(of limit: String) -> [String: Total] {
        guard let changes = replaced[limit] else { return totals[limit] ?? [:] }
        return (totals[limit] ?? [:]).merging(changes) { _, new in new }.filter { $0.value != .zero }
    }

    /// These totals with `changes` (limit, key, new total) in place of theirs, for reading: the
    /// view shares this value's storage and holds only the changed keys beside it.
    public func replacing(_ changes: [(limit: String, key: String, total: Total)]) -> WindowTotals {
        var view = self
        for change in changes { view.replaced[change.limit, default: [:]][change.key] = change.total }
        return view
    }

    /// Writes the replaced totals into `totals`.
    private mutating func fold() {
        let changes = replaced
        replaced = [:]
        for (limit, keys) in changes {
            for (key, total) in keys { self[limit, key] = total }
        }
    }

    /// Every non-zero total, by limit and key, replacements applied (what equality compares).
    private var all: [String: [String: Total]] {
        var out = totals
        for limit in replaced.keys { out[limit] = totals(of: limit) }
        return out.filter { !$0.value.isEmpty }
    }

    public static func == (a: WindowTotals, b: WindowTotals) -> Bool { a.all == b.all }

    public func hash(into hasher: inout Hasher) { hasher.combine(all) }
}
