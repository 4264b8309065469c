/// An address on a chain, as the address book is indexed.
struct AddressKey: Hashable, Sendable {
    let chain: String
    let address: String
}
