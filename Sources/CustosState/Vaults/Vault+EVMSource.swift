import CustosChains

extension Vault {
    /// The vault's EVM address `name` designates — a label of its recorded EVM addresses, one of
    /// those addresses, or the vault key's own address (label `m`), any letter case — with its
    /// derivation path below the vault key; nil if it names none of them. An address is matched
    /// before any label, so a label spelling another address never designates its own.
    func evmSource(named name: String) -> (address: EVM.Address, path: [UInt32])? {
        var candidates = addresses.filter { $0.chain == .evm }.map { ($0.label, $0.address, $0.path) }
        if let root = rootAddresses.first(where: { $0.chain == .evm }) { candidates.append(("m", root.address, [])) }
        let wanted = name.lowercased()
        // An address wins over a label that reads like another address (review helper-89 M1).
        guard let match = candidates.first(where: { $0.1.lowercased() == wanted }) ?? candidates.first(where: { $0.0 == name }),
              let address = try? EVM.Address(hex: match.1)
        else { return nil }
        return (address, match.2)
    }
}
