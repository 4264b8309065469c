import CustosClusterAPI
import Foundation

extension DrillContext {
    /// `node-compromised`: the last member is taken to be compromised. A security officer
    /// freezes; a replacement node is added (every vault reshared to it); the quorum removes the
    /// compromised one, which reshares every active vault among the rest; the quorum unfreezes;
    /// the risk bot's routine request is signed again, without it.
    func nodeCompromised(_ step: String) async throws(DrillBlocked) {
        guard let suspect = members.last, members.count > 1 else { throw DrillBlocked("the cluster has no node to remove") }
        // A cluster keeps at least four members (below four it tolerates no faulty node, and
        // every node refuses the removal): the compromised node is replaced, then removed.
        switch step {
        case "freeze":
            try await govern("drill-\(tag)-freeze", proposer: "heidi", ["freeze"], approvers: [])
            try await onEveryNode("signing is frozen") { s in s.frozen }
            note("every node is frozen")
        case "replacement":
            let id = replacementId()
            notes["replacement"] = id
            let request = try prepareReplacement(id)
            _ = try startReplacement(id)
            try await govern("drill-\(tag)-add-\(id)", proposer: "erin", ["add-member", request], approvers: ["frank", "grace"])
            added.append(id)
            let states = try await onEveryNode("\(id) is a voting member and every vault is reshared to it", seconds: 240, describe: Self.vaultStates) { s in
                s.members.contains { $0.id == id } && s.vaultsAwaitingReshare.isEmpty
                    && s.vaults.filter { $0.status == "active" }.allSatisfy { !$0.resharing && $0.holders.contains(id) }
            }
            note("voting members on every node: \(states.values.first?.members.map(\.id).joined(separator: ", ") ?? "?"); every vault reshared to \(id)")
        case "remove-member":
            let epochs = snapshot(watched[0])?.vaults.filter { $0.status == "active" }.map { "\($0.id)=\($0.keyEpoch)" } ?? []
            notes["epochs"] = epochs.joined(separator: " ")
            try await govern("drill-\(tag)-remove-\(suspect)", proposer: "erin", ["remove-member", suspect], approvers: ["frank", "grace"])
            removed.insert(suspect)
            let states = try await onEveryNode("\(suspect) is no longer a voting member") { s in !s.members.contains { $0.id == suspect } }
            note("voting members on every remaining node: \(states.values.first?.members.map(\.id).joined(separator: ", ") ?? "?") (\(suspect) stays up, following the log without a vote)")
        case "reshare":
            let states = try await onEveryNode("every active vault is reshared without \(suspect)", seconds: 240, describe: Self.vaultStates) { s in
                s.vaultsAwaitingReshare.isEmpty && s.vaults.filter { $0.status == "active" }.allSatisfy { !$0.resharing && !$0.holders.contains(suspect) }
            }
            let before = Dictionary(uniqueKeysWithValues: (notes["epochs"] ?? "").split(separator: " ").compactMap { pair -> (String, String)? in
                let parts = pair.split(separator: "=").map(String.init)
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            })
            for vault in states.values.first?.vaults.filter({ $0.status == "active" }) ?? [] {
                guard before[vault.id].map({ $0 != String(vault.keyEpoch) }) ?? true else {
                    throw DrillBlocked("\(vault.id) is still at key epoch \(vault.keyEpoch): no reshare completed")
                }
                note("\(vault.id): key epoch \(before[vault.id] ?? "?") → \(vault.keyEpoch), \(vault.threshold) of \(vault.holders.joined(separator: ", ")) sign; \(suspect)'s old share is of a retired epoch")
            }
        case "unfreeze":
            try await govern("drill-\(tag)-unfreeze", proposer: "erin", ["unfreeze"], approvers: ["frank", "grace", "heidi"])
            try await onEveryNode("signing is no longer frozen") { s in !s.frozen }
            note("no node is frozen")
        case "routine-signed":
            let command = submitRoutineMessage(try currentBotKey("risk-bot"))
            guard command.status == 0, let id = Self.requestId(command) else { throw DrillBlocked(command.problem) }
            let signers = try await signedOnEveryNode(id, seconds: 180)
            guard !signers.contains(suspect) else { throw DrillBlocked("request \(id.prefix(16))… was signed with \(suspect) among the signers: \(signers)") }
            note("request \(id.prefix(16))… allowed and signed on every node by \(signers.joined(separator: ", ")), without \(suspect)")
        default:
            throw DrillBlocked("node-compromised has no step \(step)")
        }
    }

    /// The vaults' reshare state, for a report saying why a reshare did not finish.
    static func vaultStates(_ s: GovernanceSnapshot) -> String {
        "awaiting reshare: \(s.vaultsAwaitingReshare.joined(separator: ", ")); "
            + s.vaults.map { "\($0.id) \($0.resharing ? "resharing" : $0.status) at epoch \($0.keyEpoch), holders \($0.holders.joined(separator: ","))" }
            .joined(separator: "; ")
    }
}
