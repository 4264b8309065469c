import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC

extension ReplicatedState {
    /// Starts a proactive refresh of an active vault's key among its share holders (the executed
    /// `refresh-vault`). Refused while another refresh or reshare of the vault runs, and when a
    /// holder is no longer a voting member (moving shares off a removed node is a reshare's job).
    /// The refresh takes the epoch after every earlier one, failed ones included, so nothing made
    /// for an earlier run verifies in it.
    mutating func refreshVault(id: String, operationId: String) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidChange, reason) }
        guard let vault = vaults[id] else { throw GovernanceError(.unknownVault, "no vault \"\(id.prefix(64))\"") }
        guard vault.status == .active, vault.key != nil else { throw invalid("vault \(id) is \(vault.status.rawValue), not active") }
        guard vault.offline == nil else { throw invalid(vault.offlineRefreshRefusal) }
        if let running = vault.runningRefresh { throw invalid("a \(running.kind.rawValue) of vault \(id) is already running") }
        let participants = vault.holders
        let memberIds = Set(members.map(\.id))
        let gone = participants.filter { !memberIds.contains($0) }
        guard gone.isEmpty else {
            throw invalid("\(gone.map(\.rawValue).joined(separator: ", ")) of vault \(id) are no longer members; a refresh needs every participant")
        }
        let dealers = participants.filter { !vault.excluded.contains($0) }
        guard dealers.count >= vault.minSigners else {
            throw invalid("only \(dealers.count) participants of vault \(id) are not excluded; a refresh needs \(vault.minSigners) dealers")
        }
        let epoch = max(vault.epoch, vault.refreshes.last?.epoch ?? 0) + 1
        vaults[id]!.refreshes.append(VaultRefresh(
            kind: .refresh, operationId: operationId, epoch: epoch, fromEpoch: vault.epoch, participants: participants, dealers: dealers,
            minSigners: vault.minSigners, startedAt: time, startedHeight: height, deadline: time + VaultRefresh.timeLimit))
    }

    /// A node's refresh or reshare entry (`vault.refresh.*`), after its signature was checked
    /// against a current voting member. Refused, changing nothing, when no run is under way, it
    /// names another epoch, its sender takes no part (or deals without being a dealer), or it
    /// repeats what the sender already committed. A dealing that does not check, a confirmation
    /// of another transcript than the log's, and a complaint (whichever side it proves wrong) fail
    /// the run with the culprit named and excluded from signing; the vault keeps its current
    /// shares, and a reshare starts again without the culprit (`restartReshare`). When every
    /// participant confirmed, the vault moves to the new epoch in one transition
    /// (`completeRefresh`).
    mutating func transitionRefresh(_ entry: VaultEntry, from node: NodeID) throws(GovernanceError) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.ceremonyRefused, reason) }
        guard let vault = vaults[entry.vault] else { throw GovernanceError(.unknownVault, "no vault \"\(entry.vault.prefix(64))\"") }
        let id = vault.id
        guard var r = vault.runningRefresh, let key = vault.key else { throw refused("no refresh or reshare of \(id) is running") }
        let run = "the \(r.kind.rawValue) of \(id)"
        guard entry.epoch == r.epoch else { throw refused("\(run) is to epoch \(r.epoch), not \(entry.epoch)") }
        guard let index = vault.identifier(of: node), r.participants.contains(node), let committee = VaultRefreshing.Committee(r, of: vault) else {
            throw refused("\(node) does not take part in \(run)")
        }
        let sessionID = r.sessionID(genesisDigest: genesisDigest, vault: id)
        switch entry {
        case .refreshDeal(_, _, let dealing):
            guard r.dealers.contains(node) else { throw refused("\(node) is no dealer of \(run): it holds no share at epoch \(r.fromEpoch) or is excluded") }
            guard r.dealings[node] == nil else { throw refused("\(node) already dealt in \(run)") }
            do {
                try VaultRefreshing.check(vault.scheme, publicKeyPackage: key.publicKeyPackage, sessionID: sessionID, committee: committee,
                                          dealing: dealing, from: index)
            } catch {
                failRefresh(id, reason: "the dealing of \(node) does not check: \(error.reason)", culprits: [node], silent: [])
                return .vault(id: id, status: .active)
            }
            r.dealings[node] = .init(dealing: dealing, at: time)
            if r.dealings.count == r.dealers.count {
                var dealings: [Int: [UInt8]] = [:]
                for dealer in r.dealers { dealings[vault.identifier(of: dealer)!] = r.dealings[dealer]!.dealing }
                do {
                    r.expected = try VaultRefreshing.outcome(vault.scheme, publicKeyPackage: key.publicKeyPackage, sessionID: sessionID,
                                                             committee: committee, dealings: dealings)
                } catch {
                    // Every dealing was checked on its own: unreachable, but never complete on doubt.
                    replaceRefresh(of: id, with: r)
                    failRefresh(id, reason: "the dealings make no new sharing of the key: \(error.reason)", culprits: [], silent: [])
                    return .vault(id: id, status: .active)
                }
            }
            replaceRefresh(of: id, with: r)
        case .refreshConfirm(_, _, let transcriptDigest, let version):
            guard let expected = r.expected else { throw refused("\(node) confirmed \(run) before every dealing was committed") }
            guard r.confirmations[node] == nil else { throw refused("\(node) already confirmed \(run)") }
            guard !version.isEmpty, version.printable(limit: 64) == version else { throw refused("a software version is printable ASCII") }
            guard transcriptDigest == expected.transcriptDigest else {
                failRefresh(id, reason: "\(node) confirmed a \(r.kind.rawValue) transcript other than the log's", culprits: [node], silent: [])
                return .vault(id: id, status: .active)
            }
            r.confirmations[node] = .init(transcriptDigest: transcriptDigest, softwareVersion: version, at: time)
            replaceRefresh(of: id, with: r)
            if r.confirmations.count == r.participants.count { completeRefresh(of: id, expected: expected) }
        case .refreshComplaint(_, _, let accused, let evidence):
            guard accused != node, let accusedDealing = r.dealings[accused], r.expected != nil else {
                throw refused("\(node) accuses \(accused), which is no dealer of \(run) whose dealing every participant has")
            }
            let (culprit, reason) = judgeRefreshComplaint(vault, r, sessionID: sessionID, complainant: node, index: index, accused: accused,
                                                          dealing: accusedDealing.dealing, evidence: evidence)
            failRefresh(id, reason: reason, culprits: [culprit], silent: [])
        default:
            throw refused("not a refresh or reshare entry")
        }
        return .vault(id: id, status: vaults[id]!.status)
    }

    /// Fails every running refresh or reshare whose deadline passed by the state's time, naming
    /// who stayed silent: the dealers without a dealing, or else the participants without a
    /// confirmation. A reshare starts again: without the silent dealers where enough remain, or,
    /// after a silent receiver, with another choice of dealers.
    mutating func expireRefreshes() {
        for id in vaults.keys.sorted() {
            guard let r = vaults[id]!.runningRefresh, r.deadline <= time else { continue }
            let missingDealing = r.dealers.filter { r.dealings[$0] == nil }
            let silent = missingDealing.isEmpty ? r.participants.filter { r.confirmations[$0] == nil } : missingDealing
            let what = missingDealing.isEmpty ? "confirmation" : "dealing"
            failRefresh(id, reason: "no \(r.kind.rawValue) \(what) from \(silent.map(\.rawValue).joined(separator: ", ")) by the deadline",
                        culprits: [], silent: silent, receiversSilent: missingDealing.isEmpty)
        }
    }

    /// Who is wrong in a refresh complaint. The signed header decides whose the envelope is: one
    /// the accused signed for the complainant's transport key in this refresh's share round proves
    /// that whatever is wrong inside it is the accused's; anything else, or a share that matches
    /// the accused's dealing, makes the complainant the culprit.
    private func judgeRefreshComplaint(
        _ vault: Vault, _ r: VaultRefresh, sessionID: [UInt8], complainant node: NodeID, index: Int, accused: NodeID, dealing: [UInt8],
        evidence: SignedEnvelope.Evidence
    ) -> (culprit: NodeID, reason: String) {
        let accusedKey = members.first(where: { $0.id == accused })?.publicKeyBytes
        let complainantTransport = members.first(where: { $0.id == node })?.transportKeyBytes
        guard evidence.header.sessionID == sessionID, evidence.header.round == VaultEntry.shareRound,
              evidence.header.sender == accusedKey, evidence.header.recipient == complainantTransport, evidence.isAuthentic
        else { return (node, "\(node) accused \(accused) with evidence that is not an envelope \(accused) signed for it in this \(r.kind.rawValue)") }
        guard let message = try? VaultShareMessage(encoded: evidence.plaintext), message.vault == vault.id, message.epoch == r.epoch,
              message.signing == nil, message.recipient == node
        else { return (accused, "\(accused) sent \(node) a signed envelope in this \(r.kind.rawValue) that is not a share for it (signed evidence)") }
        let matches = (try? VaultRefreshing.shareMatches(vault.scheme, dealing: dealing, share: message.unsafeShare, at: index)) ?? false
        return matches ? (node, "\(node) accused \(accused) falsely: the \(r.kind.rawValue) share matches its dealing")
            : (accused, "\(accused) sent \(node) a \(r.kind.rawValue) share that does not match its dealing (signed evidence)")
    }

    /// Every participant confirmed the log's transcript: the vault moves to the run's epoch in
    /// this one transition, its participants now the share holders (`Vault.holders`) with the
    /// run's threshold. The group key, chain code and addresses stay; the verifying shares are
    /// the dealings'; the nonce and presignature pools and presigning batches of the
    /// old epoch are dropped (their entries name the old epoch and are refused from now on);
    /// requests still waiting or signing move to the new epoch, a signing one as a new attempt.
    private mutating func completeRefresh(of id: String, expected: VaultRefreshing.Outcome) {
        var vault = vaults[id]!
        guard var r = vault.runningRefresh, let key = vault.key else { return }
        r.status = .completed
        r.completedAt = time
        r.completedHeight = height
        vault.refreshes[vault.refreshes.count - 1] = r
        vault.key = VaultKey(groupKey: key.groupKey, publicKeyPackage: expected.publicKeyPackage, chainCode: key.chainCode,
                             activatedAt: key.activatedAt, activatedHeight: key.activatedHeight)
        vault.refreshedEpoch = r.epoch
        vault.nonces = [:]
        vault.nonceBatches = [:]
        vault.presignBatches = []
        vault.presignatures = []
        vaults[id] = vault
        for var s in signing.open where s.vault == id {
            if s.status == .signing { s.attempt += 1 }
            s.epoch = r.epoch
            s.status = .waiting
            s.signers = []
            s.commitments = [:]
            s.presignature = nil
            signing[s.requestId] = s
        }
        advanceSigning()
    }

    private mutating func replaceRefresh(of id: String, with r: VaultRefresh) {
        vaults[id]!.refreshes[vaults[id]!.refreshes.count - 1] = r
    }

    /// Ends the running refresh or reshare as failed; culprits the log proved wrong are left out
    /// of signing. A reshare starts again without them, and without `silent` dealers where
    /// enough others remain; when `receiversSilent` (every dealing was in, a confirmation was
    /// not) the silent receivers keep their part, possibly as dealers, and the next run takes
    /// another choice of dealers: one of them may have withheld the silent receiver's share.
    private mutating func failRefresh(_ id: String, reason: String, culprits: [NodeID], silent: [NodeID], receiversSilent: Bool = false) {
        guard var r = vaults[id]!.runningRefresh else { return }
        r.status = .failed
        r.failure = VaultFailure(at: time, reason: reason, culprits: culprits, silent: silent)
        replaceRefresh(of: id, with: r)
        let excluded = vaults[id]!.excluded
        vaults[id]!.excluded = Array(Set(excluded + culprits)).sorted()
        guard r.kind == .reshare else { return }
        if receiversSilent {
            restartReshare(of: id, operationId: r.operationId, leavingOut: [], rotatingDealers: true)
        } else {
            restartReshare(of: id, operationId: r.operationId, leavingOut: Set(silent))
        }
    }
}
