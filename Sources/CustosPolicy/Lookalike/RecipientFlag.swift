/// What the look-alike and poisoned tests found in one address outside the address book that a
/// request sends value or grants authority to (`EvaluationContext.flags`): the entry it
/// resembles, the dust transfer that planted it in the vault's history, or both.
struct RecipientFlag: Sendable {
    /// The address, normalized (`AddressNormalization`).
    let address: String
    let resemblance: AddressResemblance?
    let poisoning: AddressAppearance?
}
