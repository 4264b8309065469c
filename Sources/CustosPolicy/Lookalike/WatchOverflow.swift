/// A chain on which the watch room left dust counterparties unflagged (security review H1): a
/// watcher reported more of them than the room keeps — beyond `WatchBook`'s bound on the
/// chain, or beyond its bound for one transaction (a "flood" of zero-value `Transfer` events,
/// which anyone can emit) — first in chain block `block` (transaction `transaction`),
/// `unflagged` in all. From then on the poisoned test of an address that is neither flagged
/// nor in the address book is unknown on the chain, so a rule reading it fails closed, until
/// the quorum clears the overflow; address-book entries stay usable.
public struct WatchOverflow: Sendable, Hashable {
    public var block: UInt64
    public var transaction: String
    public var unflagged: Int

    public init(block: UInt64, transaction: String, unflagged: Int) {
        self.block = block
        self.transaction = transaction
        self.unflagged = unflagged
    }
}
