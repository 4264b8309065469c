/// A transaction whose zero-value or dust transfers with a vault gave more counterparties than
/// the watch room records in detail (security review H1): one call can emit thousands of
/// zero-value `Transfer(vault, x, 0)` events. The first ones are flagged with their
/// `AddressAppearance`; the rest are members of the chain's `WatchFloodSet`, which names this
/// record as the reason they read as poisoned (third review H-2).
public struct WatchFlood: Sendable, Hashable {
    /// The transaction hash (`0x` and 64 lowercase hex digits).
    public let transaction: String
    /// The chain block the transaction is in.
    public let block: UInt64
    /// How many of its counterparties the flood set holds.
    public var members: Int

    public init(transaction: String, block: UInt64, members: Int) {
        self.transaction = transaction
        self.block = block
        self.members = members
    }
}
