import CustosCore

extension ReplicatedState {
    /// Records a labelled address of an active vault (the executed `add-vault-address`): the
    /// node derives the address itself (`Vault.address(on:path:)`). Refuses an unknown vault,
    /// one that is not active, a chain of another scheme, a hardened or too deep path, a label
    /// that is empty, too long, not printable or already used in the vault, and a chain and
    /// path the vault already has under another label.
    mutating func addVaultAddress(
        vault id: String, label: String, chain: VaultAddress.Chain, path: [UInt32], operationId: String
    ) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidChange, reason) }
        guard let vault = vaults[id] else { throw GovernanceError(.unknownVault, "no vault \"\(id.prefix(64))\"") }
        guard !label.isEmpty, label.utf8.count <= VaultAddress.maximumLabelBytes,
              label.printable(limit: VaultAddress.maximumLabelBytes) == label
        else { throw invalid("an address label has 1 to \(VaultAddress.maximumLabelBytes) bytes of printable ASCII") }
        guard !vault.addresses.contains(where: { $0.label == label }) else {
            throw invalid("vault \(id) already has an address labelled \"\(label)\"")
        }
        guard path.isEmpty || vault.offline == nil else {
            throw invalid("vault \(id) has an offline share: its key is not derived below (the offline signer signs with the vault key itself); record the address at m")
        }
        let address = try vault.address(on: chain, path: path)
        if let same = vault.addresses.first(where: { $0.chain == chain && $0.path == path }) {
            throw invalid("vault \(id) already has this \(chain.rawValue) address at \(VaultAddress.pathDescription(path)), as \"\(same.label)\"")
        }
        vaults[id]!.addresses.append(VaultAddress(label: label, chain: chain, path: path, address: address, operationId: operationId,
                                                  createdAt: time, createdHeight: height))
    }
}
