import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosNode
import CustosSigning
import CustosState
import Logging

extension VaultService {
    /// This node's progress in one presigning batch.
    final class PresignWork {
        let run: PresignBatchRun
        /// The current round's sealed messages for peers, and whether the relay took them.
        var outgoing: [(recipient: NodeID, envelope: [UInt8])] = []
        var posted = false
        /// This node's own message of the current round (it is one of the round's senders).
        var own: PresignMessage?
        /// This node's reveal of the run the log proved abandoned, once made.
        var revealed: [UInt8]?

        init(run: PresignBatchRun) { self.run = run }
    }

    /// Takes this node's part in every presigning batch the committed state started for an ECDSA
    /// vault it holds a share of: three rounds over the relay; then it seals the runs that
    /// finished into its store (with their public transcripts) and only then confirms them in the
    /// log (`vault.ecdsa.presigned`). A stored presignature signs only once the log pools it; those
    /// the log never pools, or no longer references, are deleted. Batches already under way when
    /// this process started are left alone: a second round 1 with fresh randomness would read as
    /// equivocation.
    func advancePresigning(in state: ReplicatedState) async {
        let now = clock()
        for vault in state.vaults.values.sorted(by: { $0.id < $1.id })
        where vault.status == .active && vault.scheme == .ecdsaSecp256k1 && vault.index(of: identity.id) != nil
            && environment.mayHold(vault.environment) {
            for batch in vault.presignBatches {
                if batch.deadline + Self.deadlineGrace <= now {
                    try? await submit(.timeout(vault: vault.id, epoch: vault.epoch, request: nil, attempt: batch.number),
                                      subject: "presign \(vault.id)/\(vault.epoch)/\(batch.number)", state: state)
                }
                guard batch.signers.contains(identity.id), !vault.excluded.contains(identity.id) else { continue }
                do { try await advance(batch, of: vault, in: state) } catch {
                    logger.error("presigning step failed", metadata: ["vault": "\(vault.id)", "batch": "\(batch.number)",
                                                                      "error": "\("\(error)".printable(limit: 512))"])
                }
            }
        }
        collectPresignatures(in: state)
    }

    private func advance(_ batch: PresignBatch, of vault: Vault, in state: ReplicatedState) async throws {
        let key = Session.presign(vault: vault.id, epoch: vault.epoch, batch: batch.number)
        guard !batchesAtStart.contains(key) else { return }
        let session = state.presignSessionID(vault: vault, batch: batch.number, signers: batch.signers, startedHeight: batch.startedHeight)
        if presigns[key] == nil {
            // A batch asking for evidence is past its rounds: starting them now would deal anew.
            guard batch.failedRun == nil else { return }
            guard let sealed = try database.secret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: vault.id, epoch: UInt64(vault.epoch)))
            else {
                logger.error("no key share stored for an active vault; this node cannot presign for it", metadata: ["vault": "\(vault.id)"])
                return
            }
            let run = try PresignBatchRun(state, vault: vault, batch: batch, me: identity.id,
                                          keyShare: try ECDSASigningRound.keyShare(vault, sealedKeyPackage: sealed))
            let work = PresignWork(run: run)
            try stage(try run.round1(), in: work, session: session, state: state)
            presigns[key] = work
        }
        guard let work = presigns[key] else { return }
        if let run = batch.failedRun {
            try await showEvidence(of: run, batch: batch, vault: vault, work: work, key: key, state: state)
            return
        }
        if !work.posted { work.posted = try await post(work.outgoing, what: "presigning round \(work.run.round) of \(vault.id)") }
        if work.run.confirmations == nil {
            let round = work.run.round
            var received: [NodeID: PresignMessage] = [:]
            received[identity.id] = work.own
            for (sender, evidence) in presignInbox[key]?[round] ?? [:] {
                // A signed message that is not one of this batch's round fails every run here, so
                // the blame that follows shows it: its sender is named.
                if let message = try? PresignMessage(encoded: evidence.plaintext), message.vault == vault.id, message.epoch == vault.epoch,
                   message.batch == batch.number, message.round == round, message.recipient == identity.id,
                   message.unsafeRuns.count == batch.count {
                    received[sender] = message
                } else {
                    logger.error("a peer's presigning message is not one of this batch; failing its runs",
                                 metadata: ["vault": "\(vault.id)", "batch": "\(batch.number)", "sender": "\(sender)"])
                    received[sender] = PresignMessage(vault: vault.id, epoch: vault.epoch, batch: batch.number, round: round,
                                                      recipient: identity.id, unsafeRuns: Array(repeating: [], count: batch.count))
                }
            }
            guard batch.signers.allSatisfy({ received[$0] != nil }) else { return }
            if let next = try work.run.next(received: received) {
                try stage(next, in: work, session: session, state: state)
                work.posted = try await post(work.outgoing, what: "presigning round \(work.run.round) of \(vault.id)")
                return
            }
            // Durable before the confirmation leaves: a confirmed run's presignature is always here.
            for (index, made) in work.run.takeFinished() {
                try database.storeSecret(ECDSASigningRound.stored(sealed: made.sealed, transcript: made.transcript), kind: .presignature,
                                         id: ECDSASigningRound.presignatureID(vault: vault.id, epoch: vault.epoch, batch: batch.number,
                                                                              index: UInt16(index)))
                counters.presignaturesMade += 1
            }
            work.own = nil
            work.outgoing = []
        }
        guard let confirmations = work.run.confirmations, batch.confirmations[identity.id] == nil else { return }
        try await submit(.presigned(vault: vault.id, epoch: vault.epoch, batch: batch.number, confirmations: confirmations),
                         subject: "\(vault.id)/\(vault.epoch)/\(batch.number)", state: state)
    }

    /// The log proved run `run` of the batch abandoned: this node shows its reveal and every
    /// presigning message its peers sent it, in their signed envelopes, so every node can name who
    /// deviated.
    private func showEvidence(of run: UInt16, batch: PresignBatch, vault: Vault, work: PresignWork, key: Session,
                              state: ReplicatedState) async throws {
        guard batch.evidence[identity.id] == nil else { return }
        if work.revealed == nil { work.revealed = try work.run.reveal(index: Int(run)) }
        var envelopes: [SignedEnvelope.Evidence] = []
        for round in UInt16(1)...3 {
            for (_, evidence) in (presignInbox[key]?[round] ?? [:]).sorted(by: { $0.key < $1.key }) { envelopes.append(evidence) }
        }
        logger.warning("a presigning run failed; showing this node's evidence", metadata: ["vault": "\(vault.id)", "batch": "\(batch.number)"])
        try await submit(.presignEvidence(vault: vault.id, epoch: vault.epoch, batch: batch.number, run: run, reveal: work.revealed!,
                                          envelopes: envelopes), subject: "\(vault.id)/\(vault.epoch)/\(batch.number)", state: state)
    }

    /// Seals a round's messages for the peers and keeps this node's own.
    private func stage(_ messages: [NodeID: PresignMessage], in work: PresignWork, session: [UInt8], state: ReplicatedState) throws {
        work.own = messages[identity.id]
        work.outgoing = try seal(messages.mapValues { faults.presignMessage($0, from: identity.id, logger: logger).encoded }, session: session,
                                 round: VaultEntry.presignRounds.lowerBound + work.run.round - 1, state: state)
        work.posted = false
    }

    /// Forgets batches the state no longer runs, and deletes stored presignatures the log no
    /// longer pools or assigns (runs that failed, batches that ran out or were blamed, attempts
    /// given up, earlier epochs) — at start, and whenever a batch ends.
    private func collectPresignatures(in state: ReplicatedState) {
        var ended = false
        for key in presigns.keys {
            guard case .presign(let id, let epoch, let number) = key else { continue }
            if let vault = state.vaults[id], vault.epoch == epoch, vault.presignBatches.contains(where: { $0.number == number }) { continue }
            presigns[key] = nil
            ended = true
        }
        for key in presignInbox.keys where !isLive(key, in: state) { presignInbox[key] = nil }
        guard ended || !sweptStoredPresignatures else { return }
        sweptStoredPresignatures = true
        do {
            for storeID in try database.secretIDs(kind: .presignature) {
                guard let run = ECDSASigningRound.presignatureRun(id: storeID) else { continue }
                if let vault = state.vaults[run.vault], vault.status == .active, vault.epoch == run.epoch {
                    if vault.presignBatches.contains(where: { $0.number == run.batch && $0.failedRun == nil }) { continue }
                    if vault.presignatures.contains(where: { $0.batch == run.batch && $0.index == run.index }) { continue }
                    if state.signing.open.contains(where: { $0.status == .signing && $0.vault == run.vault
                        && $0.presignature?.batch == run.batch && $0.presignature?.index == run.index }) { continue }
                }
                _ = try database.deleteSecret(kind: .presignature, id: storeID)
            }
        } catch {
            logger.error("stored presignatures could not be swept", metadata: ["error": "\("\(error)".printable(limit: 256))"])
        }
    }

    /// Whether `key` names a presigning batch the state still runs.
    func isLive(_ key: Session, in state: ReplicatedState) -> Bool {
        guard case .presign(let id, let epoch, let number) = key, let vault = state.vaults[id], vault.epoch == epoch else { return false }
        return vault.presignBatches.contains { $0.number == number }
    }
}
