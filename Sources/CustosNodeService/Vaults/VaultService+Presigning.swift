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
        /// Set when a peer's message cannot be read: the batch cannot finish here.
        var broken = false
        /// This node's reveal of the run the log proved abandoned, once made.
        var revealed: [UInt8]?

        init(run: PresignBatchRun) { self.run = run }
    }

    /// Takes this node's part in every presigning batch the committed state started for an ECDSA
    /// vault it holds a share of: three rounds over the relay, then its round-4 confirmations in
    /// the log (`vault.ecdsa.presigned`). Once the state has resolved a batch, the runs every
    /// signer confirmed alike are sealed into the node's store (with their public transcripts),
    /// ready for signing; the rest are dropped.
    func advancePresigning(in state: ReplicatedState) async {
        let now = clock()
        for vault in state.vaults.values.sorted(by: { $0.id < $1.id })
        where vault.status == .active && vault.scheme == .ecdsaSecp256k1 && vault.ceremony.index(of: identity.id) != nil
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
        harvestPresignatures(in: state)
    }

    private func advance(_ batch: PresignBatch, of vault: Vault, in state: ReplicatedState) async throws {
        let key = Session.presign(vault: vault.id, epoch: vault.epoch, batch: batch.number)
        let session = state.presignSessionID(vault: vault, batch: batch.number, signers: batch.signers, startedHeight: batch.startedHeight)
        if presigns[key] == nil {
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
        guard !work.broken else { return }
        if !work.posted { work.posted = try await post(work.outgoing, what: "presigning round \(work.run.round) of \(vault.id)") }
        if work.run.confirmations == nil {
            let round = work.run.round
            var received: [NodeID: PresignMessage] = [:]
            received[identity.id] = work.own
            for (sender, evidence) in presignInbox[key]?[round] ?? [:] {
                guard let message = try? PresignMessage(encoded: evidence.plaintext) else {
                    work.broken = true
                    logger.error("a peer's presigning message does not decode; this batch cannot finish here",
                                 metadata: ["vault": "\(vault.id)", "batch": "\(batch.number)", "sender": "\(sender)"])
                    return
                }
                received[sender] = message
            }
            guard batch.signers.allSatisfy({ received[$0] != nil }) else { return }
            if let next = try work.run.next(received: received) {
                try stage(next, in: work, session: session, state: state)
                work.posted = try await post(work.outgoing, what: "presigning round \(work.run.round) of \(vault.id)")
                return
            }
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

    /// Stores the presignatures of batches the state has resolved, and forgets those batches.
    private func harvestPresignatures(in state: ReplicatedState) {
        for (key, work) in presigns {
            guard case .presign(let id, let epoch, let number) = key else { continue }
            let vault = state.vaults[id]
            if let vault, vault.epoch == epoch, vault.presignBatches.contains(where: { $0.number == number }) { continue }
            presigns[key] = nil
            presignInbox[key] = nil
            guard let vault, vault.epoch == epoch else { continue }
            for p in vault.presignatures where p.batch == number {
                do {
                    let (sealed, transcript) = try work.run.presignature(index: Int(p.index), digest: p.digest)
                    try database.storeSecret(ECDSASigningRound.stored(sealed: sealed, transcript: transcript), kind: .presignature,
                                             id: ECDSASigningRound.presignatureID(vault: id, epoch: epoch, batch: number, index: p.index))
                    counters.presignaturesMade += 1
                } catch {
                    logger.error("a confirmed presignature could not be kept", metadata: ["vault": "\(id)", "batch": "\(number)",
                                                                                          "error": "\("\(error)".printable(limit: 512))"])
                }
            }
        }
    }
}
