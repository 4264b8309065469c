/// What the look-alike and poisoned tests found in one address outside the address book that a
/// request sends value or grants authority to (`EvaluationContext.flags`): the entry it
/// resembles, the dust transfer that planted it in the vault's history (or the flood of dust
/// transfers whose counterparties the watch room holds in its flood set), or both.
struct RecipientFlag: Sendable {
    /// The address, normalized (`AddressNormalization`).
    let address: String
    let resemblance: AddressResemblance?
    let poisoning: AddressAppearance?
    /// The flood that made it a member of its chain's `WatchFloodSet`, and the chain.
    let flood: (chain: String, flood: WatchFlood)?

    /// Whether the poisoned test holds: a flagged appearance or a flood's member.
    var isPoisoned: Bool { poisoning != nil || flood != nil }
}
