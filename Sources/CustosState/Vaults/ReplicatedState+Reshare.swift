import CustosCore
import CustosLedger

extension ReplicatedState {
    /// The nodes a vault's shares belong with: the voting members not excluded from it, in id order.
    public func shareMembership(of vault: Vault) -> [NodeID] { members.map(\.id).filter { !vault.excluded.contains($0) } }

    /// The active vaults whose shares do not yet sit with the membership (`shareMembership`), in
    /// id order: a membership change is complete only when this is empty. Each has a reshare
    /// running, or, if one could not start again (too few dealers left), stays at its epoch; a
    /// vault with an offline share is never reshared and stays listed once the membership moved.
    public var vaultsAwaitingReshare: [String] {
        vaults.keys.sorted().filter { id in
            let vault = vaults[id]!
            return vault.status == .active && (vault.runningReshare != nil || vault.holders != shareMembership(of: vault))
        }
    }

    /// Starts, in the transition that executes `add-member` or `remove-member`, a reshare of
    /// every active vault whose share holders are not the new membership: the holders that are
    /// still voting members and not excluded deal, the membership receives, with the threshold
    /// the new cluster size asks for. A refresh or reshare of the vault still running is
    /// superseded (failed without blame). Throws, refusing the membership change, when a vault
    /// could not be reshared: fewer of its holders remain members than its threshold, or the new
    /// membership is too small to hold a vault of its scheme. A vault whose holders already are
    /// the new membership (a member added, then removed again before its reshare completed) has
    /// its running reshare superseded and none started: it signs again at its epoch.
    mutating func reshareVaults(operationId: String) throws(GovernanceError) {
        for id in vaults.keys.sorted() {
            let vault = vaults[id]!
            guard vault.status == .active else { continue }
            guard vault.holders != shareMembership(of: vault) else {
                if vault.runningReshare != nil { vaults[id] = Self.superseding(vault, by: operationId, at: time) }
                continue
            }
            // A vault with an offline share is never reshared (the offline part would need the
            // offline signer): it stays at its epoch with its holders, and signs with those still
            // members — so the change is refused only when too few of them remain to sign.
            if vault.offline != nil {
                let signing = vault.holders.filter { members.map(\.id).contains($0) && !vault.excluded.contains($0) }
                guard signing.count >= vault.minSigners else {
                    throw GovernanceError(.invalidChange, "\(vault.offlineRefreshRefusal); only \(signing.count) of its holders would remain members, "
                        + "and it needs \(vault.minSigners) to sign")
                }
                continue
            }
            try startReshare(of: id, operationId: operationId, leavingOut: [])
        }
    }

    /// `vault` with its running refresh or reshare failed without blame, superseded by `operationId`.
    private static func superseding(_ vault: Vault, by operationId: String, at time: UInt64) -> Vault {
        guard var running = vault.runningRefresh else { return vault }
        var vault = vault
        running.status = .failed
        running.failure = VaultFailure(at: time, reason: "superseded by the membership change \(operationId)", culprits: [], silent: [])
        vault.refreshes[vault.refreshes.count - 1] = running
        return vault
    }

    /// After a reshare of `id` failed: starts it again for the same operation, without the
    /// dealers in `leavingOut` (silent ones) where enough others remain, else with every holder
    /// that may deal (culprits are excluded from the vault already). With `rotatingDealers` (a
    /// receiver stayed silent though every dealing was in: the log cannot tell a receiver that
    /// withholds its confirmation from a dealer that withheld its share) the run takes another
    /// threshold-sized choice of dealers (`dealerTurn`) each time, so no one dealer can make every
    /// run fail. When too few remain, the vault stays at its epoch and in `vaultsAwaitingReshare`.
    mutating func restartReshare(of id: String, operationId: String, leavingOut: Set<NodeID>, rotatingDealers: Bool = false) {
        if (try? startReshare(of: id, operationId: operationId, leavingOut: leavingOut, rotatingDealers: rotatingDealers)) != nil { return }
        _ = try? startReshare(of: id, operationId: operationId, leavingOut: [])
    }

    /// The `turn`-th choice of `size` dealers among `eligible` (id order), in id order: turn k
    /// rotates the list by k and takes its ⌊k/n⌋-th `size`-subset in lexicographic order, so n
    /// consecutive turns include every window of `size` consecutive dealers (one that leaves out
    /// any one dealer, when n > size) and every subset comes in turn. Everyone when `size` is not
    /// smaller than the list.
    static func dealerTurn(_ eligible: [NodeID], size: Int, turn: Int) -> [NodeID] {
        let n = eligible.count
        guard size > 0, size < n else { return eligible }
        let offset = turn % n
        let rotated = Array(eligible[offset...] + eligible[..<offset])
        var chosen = Array(0..<size)
        for _ in 0..<(turn / n) {
            // The next subset in lexicographic order; the first again after the last.
            var i = size - 1
            while i >= 0, chosen[i] == n - size + i { i -= 1 }
            guard i >= 0 else {
                chosen = Array(0..<size)
                continue
            }
            chosen[i] += 1
            for j in (i + 1)..<size { chosen[j] = chosen[j - 1] + 1 }
        }
        return chosen.map { rotated[$0] }.sorted()
    }

    /// Starts one reshare of vault `id` to its share membership, at the epoch after every earlier
    /// run. Nothing changes when it throws. Signing attempts under way end (their requests wait
    /// for the new epoch): nothing signs with the old shares while they move.
    mutating func startReshare(
        of id: String, operationId: String, leavingOut: Set<NodeID>, rotatingDealers: Bool = false
    ) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidChange, reason) }
        var vault = vaults[id]!
        let receivers = shareMembership(of: vault)
        guard let minSigners = Self.minSigners(vault.scheme, nodes: members.count) else {
            throw invalid("\(members.count) nodes cannot hold the \(vault.scheme.rawValue) vault \(id)")
        }
        let online = vault.scheme == .ecdsaSecp256k1 ? 2 * (minSigners - 1) + 1 : minSigners
        guard receivers.count >= online else {
            throw invalid("only \(receivers.count) members may hold vault \(id); a \(vault.scheme.rawValue) vault of \(members.count) nodes needs \(online)")
        }
        let memberIds = Set(members.map(\.id))
        var dealers = vault.holders.filter { memberIds.contains($0) && !vault.excluded.contains($0) && !leavingOut.contains($0) }
        if rotatingDealers {
            let earlierRuns = vault.refreshes.filter { $0.kind == .reshare && $0.operationId == operationId }.count
            dealers = Self.dealerTurn(dealers, size: vault.minSigners, turn: earlierRuns)
        }
        guard dealers.count >= vault.minSigners else {
            throw invalid("only \(dealers.count) share holders of vault \(id) remain members that may deal; resharing it needs \(vault.minSigners)")
        }
        vault = Self.superseding(vault, by: operationId, at: time)
        for node in receivers where vault.identifier(of: node) == nil { vault.addedParticipants.append(node) }
        let epoch = max(vault.epoch, vault.refreshes.last?.epoch ?? 0) + 1
        vault.refreshes.append(VaultRefresh(
            kind: .reshare, operationId: operationId, epoch: epoch, fromEpoch: vault.epoch, participants: receivers, dealers: dealers,
            minSigners: minSigners, startedAt: time, startedHeight: height, deadline: time + VaultRefresh.timeLimit))
        vaults[id] = vault
        for var s in signing.open where s.vault == id && s.status == .signing {
            // A presignature handed to the attempt is spent whatever happened.
            s.attempt += 1
            s.status = .waiting
            s.signers = []
            s.commitments = [:]
            s.presignature = nil
            signing[s.requestId] = s
        }
    }
}
