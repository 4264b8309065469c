/// A chain on which the watch room left dust counterparties out (security reviews H1, H-2): its
/// flood set (`WatchFloodSet`) held its budget of members when a report brought more of them —
/// first in chain block `block` (transaction `transaction`), `unflagged` in all. From then on
/// the poisoned test of an address that is neither flagged, nor a flood's member, nor in the
/// address book is unknown on the chain, so a rule reading it fails closed, until the quorum
/// clears the overflow; address-book entries stay usable, and flagged addresses and flood
/// members stay poisoned.
///
/// No destination is exempt while it lasts, not even one the vault "paid" before (review
/// helper-54 M1, second review): the state knows a request was approved for signing, never that
/// a non-zero transfer from the vault reached the address on the chain, so such an exemption
/// could be bought with a cheap or failing request to a look-alike made before the flood.
public struct WatchOverflow: Sendable, Hashable, Codable {
    public var block: UInt64
    public var transaction: String
    public var unflagged: Int

    public init(block: UInt64, transaction: String, unflagged: Int) {
        self.block = block
        self.transaction = transaction
        self.unflagged = unflagged
    }
}
