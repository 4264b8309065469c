/// A record of the watch room's flood set (`WatchFloodSet`) that its members name as the
/// reason they read as poisoned (third review H-2). One transaction whose zero-value or dust
/// transfers with a vault gave more counterparties than the room flags one by one (one call can
/// emit thousands of `Transfer(vault, x, 0)` events) has its own record per watcher that
/// reported it. The set keeps a bounded number of those (`WatchFloodSet.recordCap`, review
/// helper-54 M3); beyond it, each watcher's further counterparties share one summary record
/// (`transaction` nil) that keeps the blocks they came from, not their transactions.
public struct WatchFlood: Sendable, Hashable, Codable {
    /// The transaction, or nil for a watcher's summary record.
    public let transaction: TransactionHash?
    /// The watcher bot whose report planted the members.
    public let reporter: String
    /// The chain block of the transaction; for a summary, the lowest block of its members.
    public var block: UInt64
    /// For a summary, the highest block of its members; else `block`.
    public var lastBlock: UInt64
    /// How many counterparties of it the flood set holds.
    public var members: Int

    public init(transaction: TransactionHash?, reporter: String, block: UInt64, lastBlock: UInt64? = nil, members: Int) {
        self.transaction = transaction
        self.reporter = reporter
        self.block = block
        self.lastBlock = lastBlock ?? block
        self.members = members
    }

    /// Whether it stands for the counterparties of many transactions beyond the record cap.
    public var isSummary: Bool { transaction == nil }
}
