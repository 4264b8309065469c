import CustosCore
import CustosCrypto
import CustosLedger
import CustosNode
import CustosSigning
import CustosState
import Logging

extension VaultService {
    /// This node's progress in one refresh.
    struct RefreshWork {
        var party: RefreshParty?
        /// Sealed shares not yet accepted by the relay.
        var outgoing: [(recipient: NodeID, envelope: [UInt8])]?
        var posted = false
        var warned = false
    }

    /// This node's steps in every refresh or reshare under way that lists it (a reshare to a new
    /// membership runs exactly as a refresh; a node that joined only receives):
    ///
    /// 1. a dealer deals from its current share (`RefreshParty`) and commits the dealing
    ///    (`vault.refresh.deal`);
    /// 2. once its dealing is in the log, seal each peer's secret share and post them to the relay;
    /// 3. once the log holds every dealing and every dealer's share arrived, check them against
    ///    the log's dealings; store the new share sealed beside the current one (which keeps
    ///    signing until the vault moves on), and only then commit the confirmation — or, for a
    ///    share that does not match, commit a complaint with the sender's signed envelope.
    ///
    /// A node restarted after dealing has lost its refresh polynomial: it says so, and the
    /// refresh fails at its deadline (governance starts another).
    func advanceRefreshes(in state: ReplicatedState) async {
        let now = clock()
        let running = state.vaults.values.sorted(by: { $0.id < $1.id }).compactMap { v in v.runningRefresh.map { (v, $0) } }
        for (vault, r) in running where r.deadline + Self.deadlineGrace <= now {
            // Block time moves only with blocks: say the deadline passed, so a block carries it.
            try? await submit(.timeout(vault: vault.id, epoch: r.epoch, request: nil, attempt: 0), subject: "\(vault.id)/refresh/\(r.epoch)",
                              state: state)
        }
        for (vault, r) in running where r.participants.contains(identity.id) && environment.mayHold(vault.environment) {
            do { try await advance(vault, r, in: state) } catch {
                logger.error("refresh step failed", metadata: ["vault": "\(vault.id)", "error": "\("\(error)".printable(limit: 512))"])
            }
        }
    }

    /// Forgets refreshes that ended; a new share stored for one that did not complete is deleted.
    func forgetRefreshes(ended: [Session], in state: ReplicatedState) {
        for key in ended {
            guard case .refresh(let vault, let epoch) = key else { continue }
            if state.vaults[vault]?.epoch != epoch {
                _ = try? database.deleteSecret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: vault, epoch: UInt64(epoch)))
            }
            refreshes[key] = nil
            inbox[key] = nil
        }
    }

    /// Deletes what a completed refresh superseded: for each vault whose key epoch moved between
    /// `previous` and `next`, this node's shares of the earlier epochs and the secrets of its
    /// nonce commitments (pooled, assigned and unused, or submitted and never committed) and
    /// presignatures (pooled, or assigned and unused) at the old epoch.
    func dropSuperseded(_ previous: ReplicatedState, _ next: ReplicatedState) {
        let me = identity.id
        for (id, old) in previous.vaults where old.status == .active {
            guard let new = next.vaults[id], new.epoch > old.epoch else { continue }
            var nonces = old.nonces[me] ?? []
            var presignatures = old.presignatures
            for s in previous.signing.open where s.vault == id && s.epoch == old.epoch && s.status == .signing {
                if let c = s.commitments[me] { nonces.append(c) }
                if let p = s.presignature { presignatures.append(p) }
            }
            // Nonce batches this node stored and submitted that the old epoch never committed.
            for (key, made) in submitted where key.hasPrefix(VaultEntry.noncesKind + " \(id)/\(old.epoch)/") {
                if case .nonces(_, _, _, let commitments)? = try? VaultEntry(payload: made.entry.payload, kind: made.entry.kind) {
                    nonces += commitments
                }
            }
            var dropped = 0
            for c in nonces where (try? database.deleteSecret(kind: .frostNonce,
                                                              id: FROSTSigningRound.nonceID(vault: id, epoch: old.epoch, commitment: c))) == true {
                dropped += 1
            }
            for p in presignatures where p.signers.contains(me) {
                let pid = ECDSASigningRound.presignatureID(vault: id, epoch: old.epoch, batch: p.batch, index: p.index)
                if (try? database.deleteSecret(kind: .presignature, id: pid)) == true { dropped += 1 }
            }
            for epoch in old.ceremony.epoch..<new.epoch {
                _ = try? database.deleteSecret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: id, epoch: UInt64(epoch)))
            }
            logger.info("the vault moved to a refreshed or reshared key epoch; the old share and pooled secrets are deleted",
                        metadata: ["vault": "\(id)", "from epoch": "\(old.epoch)", "epoch": "\(new.epoch)", "pooled secrets": "\(dropped)"])
        }
    }

    private func advance(_ vault: Vault, _ r: VaultRefresh, in state: ReplicatedState) async throws {
        let key = Session.refresh(vault: vault.id, epoch: r.epoch)
        var work = refreshes[key] ?? RefreshWork()
        defer { refreshes[key] = work }
        let subject = "\(vault.id)/refresh/\(r.epoch)"
        if work.party == nil {
            let dealer = r.dealers.contains(identity.id)
            let shareID = NodeDatabase.vaultShareID(vault: vault.id, epoch: UInt64(r.fromEpoch))
            let keyShare = dealer ? try database.secret(kind: .vaultKeyShare, id: shareID) : nil
            guard r.confirmations[identity.id] == nil, !dealer || (r.dealings[identity.id] == nil && keyShare != nil) else {
                if !work.warned, r.confirmations[identity.id] == nil {
                    work.warned = true
                    logger.error("this node dealt before a restart, or holds no share to deal from; the \(r.kind.rawValue) will fail at its deadline",
                                 metadata: ["vault": "\(vault.id)", "epoch": "\(r.epoch)"])
                }
                return
            }
            work.party = try RefreshParty(vault: vault, me: identity.id, keyShare: keyShare, genesisDigest: state.genesisDigest)
            logger.info("taking part in a key \(r.kind.rawValue)",
                        metadata: ["vault": "\(vault.id)", "epoch": "\(r.epoch)", "scheme": "\(vault.scheme.rawValue)", "dealer": "\(dealer)"])
        }
        let party = work.party!
        if let deal = party.dealEntry {
            // Round 1: the dealing goes to the log; the shares follow once it is there.
            guard r.dealings[identity.id] != nil else { return try await submit(deal, subject: subject, state: state) }
            if work.outgoing == nil {
                work.outgoing = try seal(party.shares.mapValues { faults.share($0, logger: logger) },
                                         session: r.sessionID(genesisDigest: state.genesisDigest, vault: vault.id),
                                         round: VaultEntry.shareRound, state: state)
            }
            if !work.posted, let outgoing = work.outgoing { work.posted = try await post(outgoing, what: "\(r.kind.rawValue) shares for \(vault.id)") }
        }
        guard r.expected != nil, r.confirmations[identity.id] == nil else { return }
        for kind in [VaultEntry.refreshConfirmKind, VaultEntry.refreshComplaintKind] where submitted[kind + " " + subject] != nil {
            return try await resubmitIfDue(kind + " " + subject)
        }
        let received = inbox[key] ?? [:]
        let peers = r.dealers.filter { $0 != identity.id }
        guard peers.allSatisfy({ received[$0] != nil }) else { return }
        var messages: [NodeID: VaultShareMessage] = [:]
        for peer in peers {
            guard let message = try? VaultShareMessage(encoded: received[peer]!.plaintext) else {
                return try await complain(.refreshComplaint(vault: vault.id, epoch: r.epoch, accused: peer, evidence: received[peer]!),
                                          accusing: peer, subject: subject, state: state)
            }
            messages[peer] = message
        }
        switch try party.finish(dealings: r.dealings.mapValues(\.dealing), shares: messages, softwareVersion: softwareVersion) {
        case .confirm(let entry, let keyShare):
            try await store(keyShare, vault: vault.id, epoch: r.epoch, thenConfirm: entry, subject: subject, state: state)
        case .badShare(let peer):
            try await complain(.refreshComplaint(vault: vault.id, epoch: r.epoch, accused: peer, evidence: received[peer]!),
                               accusing: peer, subject: subject, state: state)
        }
    }
}
