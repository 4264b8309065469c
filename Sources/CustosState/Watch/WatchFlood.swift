/// A transaction that gave the watch room more new dust counterparties on one chain than it
/// flags for one transaction (`WatchBook.maximumFlagsPerTransaction`, security review H1): one
/// call can emit thousands of zero-value `Transfer(vault, x, 0)` events, to fill the room.
/// The first ones are flagged; the rest are only counted here, and the chain is overflowed
/// from the transaction's block (`WatchOverflow`).
public struct WatchFlood: Sendable, Hashable {
    /// The chain block the transaction is in.
    public let block: UInt64
    /// How many of its counterparties were not flagged.
    public var unflagged: Int
}
