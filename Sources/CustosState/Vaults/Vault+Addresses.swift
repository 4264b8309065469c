import CustosCore

extension Vault {
    /// The address on `chain` of the key at `path` below this vault's key
    /// (`VaultAddress.derive`); refuses a vault that is not active.
    public func address(on chain: VaultAddress.Chain, path: [UInt32]) throws(GovernanceError) -> String {
        guard status == .active, let key else { throw GovernanceError(.invalidChange, "vault \(id) is \(status.rawValue), not active") }
        return try VaultAddress.derive(scheme: scheme, groupKey: key.groupKey, chainCode: key.chainCode, chain: chain, path: path)
    }

    /// The vault key's own address (empty path) in every format of its scheme; none before
    /// the vault is active.
    public var rootAddresses: [(chain: VaultAddress.Chain, address: String)] {
        VaultAddress.Chain.allCases.filter { $0.scheme == scheme }.compactMap { chain in
            (try? address(on: chain, path: [])).map { (chain, $0) }
        }
    }
}
