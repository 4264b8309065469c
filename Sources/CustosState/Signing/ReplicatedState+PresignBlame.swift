import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC

extension ReplicatedState {
    /// A signer's evidence of the failed run of a batch in its blame phase; once every signer's
    /// is in, the batch is judged.
    mutating func transitionPresignEvidence(_ entry: VaultEntry, from node: NodeID) throws(GovernanceError) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.ceremonyRefused, reason) }
        guard case .presignEvidence(let id, let epoch, let number, let run, _, _) = entry else { throw refused("not presigning evidence") }
        guard let vault = vaults[id], vault.status == .active, vault.scheme == .ecdsaSecp256k1, vault.epoch == epoch else {
            throw refused("vault \(id.prefix(64)) is not an active ECDSA vault at epoch \(epoch)")
        }
        guard let at = vault.presignBatches.firstIndex(where: { $0.number == number }), vault.presignBatches[at].failedRun == run else {
            throw refused("presigning batch \(number) of \(id) does not ask for evidence of run \(run)")
        }
        let batch = vault.presignBatches[at]
        guard batch.signers.contains(node), batch.evidence[node] == nil else {
            throw refused("\(node) is not a signer of batch \(number) that still owes evidence")
        }
        vaults[id]!.presignBatches[at].evidence[node] = entry.payload
        if vaults[id]!.presignBatches[at].evidence.count == batch.signers.count {
            judge(vaults[id]!.presignBatches[at], of: id)
            advanceSigning()
        }
        return .vault(id: id, status: .active)
    }

    /// Names who made a batch's run fail, from the signers' evidence, excludes them from the
    /// vault's signer sets, and ends the batch. A signer that showed no evidence withheld it; an
    /// envelope that is not what its header claims (wrong session, round, recipient, or a
    /// signature that does not verify) is the shower's fabrication; an authentic envelope whose
    /// content is not a well-formed message of this batch is its sender's. The rest is
    /// `ThresholdECDSA.PresignBlame`; if the protocol's messages are all consistent, a signer
    /// whose confirmation differs from the digest of the round-3 broadcasts lied in it.
    mutating func judge(_ batch: PresignBatch, of id: String) {
        guard let vault = vaults[id], let run = batch.failedRun else { return }
        vaults[id]!.presignBatches.removeAll { $0.number == batch.number }
        var culprits: Set<NodeID> = []
        var reasons: [String] = []
        func convict(_ node: NodeID, _ reason: String) {
            if culprits.insert(node).inserted { reasons.append(reason) }
        }
        let session = presignSessionID(vault: vault, batch: batch.number, signers: batch.signers, startedHeight: batch.startedHeight)
        let pooled = PooledPresignature(batch: batch.number, index: run, signers: batch.signers, startedHeight: batch.startedHeight, digest: [])
        guard let context = try? presignContext(pooled, of: vault), let key = vault.key,
              let publicKeyPackage = try? PublicKeyPackage<ThresholdECDSA.Suite>(serializedBytes: key.publicKeyPackage),
              let ids = try? vault.ecdsaIdentifiers(batch.signers)
        else { return }
        let idOf = Dictionary(uniqueKeysWithValues: zip(batch.signers, ids))
        let nodeOf = Dictionary(uniqueKeysWithValues: zip(ids, batch.signers))
        var evidence: [ThresholdECDSA.ID: ThresholdECDSA.PresignEvidence] = [:]
        for node in batch.signers {
            guard let payload = batch.evidence[node],
                  case .presignEvidence(_, _, _, _, let revealBytes, let envelopes) = try? VaultEntry(payload: payload, kind: VaultEntry.presignEvidenceKind)
            else {
                convict(node, "\(node) showed no evidence of run \(run) of presigning batch \(batch.number)")
                continue
            }
            guard let reveal = try? ThresholdECDSA.PresignReveal(serializedBytes: revealBytes), reveal.identifier == idOf[node] else {
                convict(node, "\(node)'s reveal of run \(run) of presigning batch \(batch.number) is not its own")
                continue
            }
            let transport = members.first { $0.id == node }?.transportKeyBytes
            var received: [ThresholdECDSA.ID: ThresholdECDSA.PresignShares] = [:]
            var round1: [ThresholdECDSA.ID: ThresholdECDSA.PresignRound1] = [:]
            var round2: [ThresholdECDSA.ID: ThresholdECDSA.PresignRound2] = [:]
            var round3: [ThresholdECDSA.ID: ThresholdECDSA.PresignRound3] = [:]
            for e in envelopes {
                guard let sender = batch.signers.first(where: { s in members.first { $0.id == s }?.publicKeyBytes == e.header.sender }),
                      sender != node, e.header.sessionID == session, VaultEntry.presignRounds.contains(e.header.round),
                      e.header.recipient == transport, e.isAuthentic
                else {
                    convict(node, "\(node) showed an envelope for presigning batch \(batch.number) that is not one a peer sent it")
                    continue
                }
                let round = e.header.round - VaultEntry.presignRounds.lowerBound + 1
                guard let m = try? PresignMessage(encoded: e.plaintext), m.vault == id, m.epoch == vault.epoch, m.batch == batch.number,
                      m.round == round, m.recipient == node, m.unsafeRuns.count == batch.count
                else {
                    convict(sender, "\(sender) sent \(node) a signed presigning message that is not one of batch \(batch.number) round \(round)")
                    continue
                }
                let payload = m.unsafeRuns[Int(run)]
                let from = idOf[sender]!
                switch round {
                case 1:
                    let split = ThresholdECDSA.PresignRound1.serializedCount
                    guard payload.count > split, let b = try? ThresholdECDSA.PresignRound1(serializedBytes: Array(payload[..<split])),
                          let shares = try? ThresholdECDSA.PresignShares(unsafeSerializedBytes: Array(payload[split...]))
                    else {
                        convict(sender, "\(sender) sent \(node) a round-1 presigning message that does not decode (signed evidence)")
                        continue
                    }
                    round1[from] = b
                    received[from] = shares
                case 2:
                    guard let b = try? ThresholdECDSA.PresignRound2(serializedBytes: payload) else {
                        if !payload.isEmpty { convict(sender, "\(sender) sent \(node) a round-2 presigning broadcast that does not decode (signed evidence)") }
                        continue
                    }
                    round2[from] = b
                default:
                    guard let b = try? ThresholdECDSA.PresignRound3(serializedBytes: payload) else {
                        if !payload.isEmpty { convict(sender, "\(sender) sent \(node) a round-3 presigning broadcast that does not decode (signed evidence)") }
                        continue
                    }
                    round3[from] = b
                }
            }
            evidence[idOf[node]!] = ThresholdECDSA.PresignEvidence(reveal: reveal, context: context, received: received, round1: round1,
                                                                   round2: round2, round3: round3)
        }
        if culprits.isEmpty {
            for id in ThresholdECDSA.PresignBlame.culprits(context: context, publicKeyPackage: publicKeyPackage, evidence: evidence) {
                convict(nodeOf[id]!, "\(nodeOf[id]!) deviated from the presigning protocol in run \(run) of batch \(batch.number) (its revealed messages and dealing do not add up)")
            }
        }
        let views = evidence.values.map(\.round3)
        if culprits.isEmpty, let view = views.first, views.allSatisfy({ $0 == view }), view.count == batch.signers.count {
            let expected = ThresholdECDSA.PresignConfirmation.expected(context: context, round3: view)
            for node in batch.signers where batch.confirmations[node]?[Int(run)] != expected {
                convict(node, "\(node)'s confirmation of run \(run) of batch \(batch.number) is not the digest of the broadcasts everyone saw")
            }
        }
        let record = PresignBlameRecord(batch: batch.number, culprits: culprits.sorted(),
                                        reason: reasons.isEmpty ? "no culprit could be named for run \(run) of batch \(batch.number)"
                                            : reasons.joined(separator: "; "), at: time)
        vaults[id]!.presignBlames = Array((vaults[id]!.presignBlames + [record]).suffix(Vault.maximumPresignBlames))
        if !culprits.isEmpty { vaults[id]!.excluded = Array(Set(vaults[id]!.excluded).union(culprits)).sorted() }
    }
}
