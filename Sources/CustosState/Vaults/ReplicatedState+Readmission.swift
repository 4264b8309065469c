import CustosCore
import CustosLedger

extension ReplicatedState {
    /// Readmits a signer node to an active vault's signer sets (the executed `readmit-signer`):
    /// it was excluded by a blame or a refresh complaint, it is still a voting member and it holds
    /// a share of the vault's current epoch. From the next block on, new signer sets and
    /// presigning batches may include it again; nothing already assigned changes.
    mutating func readmitSigner(vault id: String, node: NodeID) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidChange, reason) }
        guard let vault = vaults[id] else { throw GovernanceError(.unknownVault, "no vault \"\(id.prefix(64))\"") }
        guard vault.status == .active, vault.key != nil else { throw invalid("vault \(id) is \(vault.status.rawValue), not active") }
        guard vault.excluded.contains(node) else { throw invalid("\(node) is not excluded from vault \(id)") }
        guard vault.ceremony.participants.contains(node) else { throw invalid("\(node) holds no share of vault \(id)") }
        guard members.contains(where: { $0.id == node }) else { throw invalid("\(node) is no longer a voting member") }
        vaults[id]!.excluded.removeAll { $0 == node }
    }
}
