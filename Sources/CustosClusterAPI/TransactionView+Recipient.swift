import CustosChains

extension TransactionView {
    /// The transaction's `to` as an address, nil for a deployment (a contract creation, `to` empty).
    public func recipient() throws(EVMError) -> EVM.Address? {
        to.isEmpty ? nil : try EVM.Address(hex: to)
    }
}
