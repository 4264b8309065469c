import CustosCore
import CustosLedger

extension ReplicatedState {
    /// Readmits a signer node to an active vault's signer sets (the executed `readmit-signer`):
    /// it was excluded by a blame, a refresh complaint or a reshare, and it is still a voting
    /// member. Refused while a refresh or reshare of the vault runs (its dealers and receivers
    /// are fixed). A node that holds a share of the current epoch may be in new signer sets and
    /// presigning batches from the next block on; one a reshare left out holds none, so the
    /// readmission starts a reshare to the membership that gives it one (and the vault signs
    /// nothing until it completes). Nothing already assigned changes.
    mutating func readmitSigner(vault id: String, node: NodeID, operationId: String) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidChange, reason) }
        guard let vault = vaults[id] else { throw GovernanceError(.unknownVault, "no vault \"\(id.prefix(64))\"") }
        guard vault.status == .active, vault.key != nil else { throw invalid("vault \(id) is \(vault.status.rawValue), not active") }
        guard vault.excluded.contains(node) else { throw invalid("\(node) is not excluded from vault \(id)") }
        guard members.contains(where: { $0.id == node }) else { throw invalid("\(node) is no longer a voting member") }
        if let running = vault.runningRefresh {
            throw invalid("a \(running.kind.rawValue) of vault \(id) is running; readmit \(node) once it has ended")
        }
        vaults[id]!.excluded.removeAll { $0 == node }
        if !vault.holders.contains(node) { try startReshare(of: id, operationId: operationId, leavingOut: []) }
    }
}
