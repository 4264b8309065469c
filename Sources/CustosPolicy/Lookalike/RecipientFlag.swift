/// What the look-alike and poisoned tests found in one address that a request sends value or
/// grants authority to (`EvaluationContext.flags`): the entry it resembles, the dust transfer
/// that planted it in the vault's history (or the flood of dust transfers whose counterparties
/// the watch room holds in its flood set), or both. An address in the address book is tested
/// only for resembling another entry (a look-alike the quorum was led to add).
struct RecipientFlag: Sendable {
    /// The address, normalized (`AddressNormalization`).
    let address: String
    /// Whether the address is in the address book on the request's chain (on any chain for a
    /// message): then only `resemblance` can be set.
    let inAddressBook: Bool
    let resemblance: AddressResemblance?
    let poisoning: AddressAppearance?
    /// The flood that made it a member of its chain's `WatchFloodSet`, and the chain.
    let flood: (chain: String, flood: WatchFlood)?

    /// Whether the poisoned test holds: a flagged appearance or a flood's member.
    var isPoisoned: Bool { poisoning != nil || flood != nil }
}
