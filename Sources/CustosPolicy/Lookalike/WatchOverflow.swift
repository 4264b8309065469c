/// A chain on which the watch room left dust counterparties out (security reviews H1, H-2): its
/// flood set (`WatchFloodSet`) held its budget of members when a report brought more of them —
/// first in chain block `block` (transaction `transaction`), `unflagged` in all. From then on
/// the poisoned test of an address that is neither flagged, nor a flood's member, nor in the
/// address book is unknown on the chain, so a rule reading it fails closed, until the quorum
/// clears the overflow; address-book entries stay usable, and flagged addresses and flood
/// members stay poisoned.
///
/// A destination the vault paid before the overflow began (its `DestinationHistory` was first
/// counted before `since`) stays payable while it lasts (review helper-54 M1: a million dust
/// events, some 80 USD on an L2, must not stop every payment outside the address book).
public struct WatchOverflow: Sendable, Hashable {
    public var block: UInt64
    public var transaction: String
    public var unflagged: Int
    /// The block time (seconds) of the report that first left a counterparty out.
    public var since: Int64

    public init(block: UInt64, transaction: String, unflagged: Int, since: Int64 = 0) {
        self.block = block
        self.transaction = transaction
        self.unflagged = unflagged
        self.since = since
    }
}
