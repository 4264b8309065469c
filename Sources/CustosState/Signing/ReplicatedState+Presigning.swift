import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosPolicy

extension ReplicatedState {
    /// The relay session of a presigning batch (`SessionName`, protocol `presign`): its rounds'
    /// messages travel under this id.
    public func presignSessionID(vault: Vault, batch number: UInt32, signers: [NodeID], startedHeight: UInt64) -> [UInt8] {
        SessionName(mpcProtocol: .presign, vaultID: vault.id, keyEpoch: UInt64(vault.epoch), signers: signers.map(\.rawValue),
                    requestID: "batch#\(number)", startHeight: startedHeight).sessionID(genesisDigest: genesisDigest)
    }

    /// The session id of run `index` of a batch: what the run's `PresignContext` binds.
    public static func presignRunID(batchSession: [UInt8], index: UInt16) -> [UInt8] {
        Hashes.tagged("custos/presign-run/v1", batchSession, [UInt8(index >> 8), UInt8(index & 0xff)])
    }

    /// The presigning context of a pooled presignature, as every node rebuilds it from the log.
    public func presignContext(_ p: PooledPresignature, of vault: Vault) throws(MPCError) -> ThresholdECDSA.PresignContext {
        guard let key = vault.key else { throw MPCError(.invalidParameters, "vault \(vault.id) has no key") }
        let session = presignSessionID(vault: vault, batch: p.batch, signers: p.signers, startedHeight: p.startedHeight)
        return try ThresholdECDSA.PresignContext(
            sessionID: Self.presignRunID(batchSession: session, index: p.index),
            publicKeyPackage: try PublicKeyPackage<ThresholdECDSA.Suite>(serializedBytes: key.publicKeyPackage),
            chainCode: key.chainCode, signers: try vault.ecdsaIdentifiers(p.signers))
    }

    /// The public randomness that re-randomizes the presignature of a signing attempt: fixed by
    /// the committed log (the attempt's session), so no coordinator can choose it.
    public func signingEntropy(_ s: SigningSession) -> [UInt8] {
        Hashes.tagged("custos/ecdsa-entropy/v1", signingSessionID(s))
    }

    /// What every signer and the combiner sign for an ECDSA session: its message hash, the
    /// BIP-32 tweak of its key's path below the vault key `key` (zero for the vault key) and
    /// the attempt's entropy.
    public func signRequest(_ s: SigningSession, key: VaultKey) throws(MPCError) -> ThresholdECDSA.SignRequest {
        try ThresholdECDSA.SignRequest(messageHash: s.message, tweak: try SignatureCheck.tweak(key: key, path: s.path), entropy: signingEntropy(s))
    }

    /// How long, in block time, a failed presigning batch's signers have to show their evidence,
    /// and how long a silent signer sits out new batches: the policy's attempt timeout, never
    /// under `PresignBatch.evidenceTimeLimit` (30 s). A signer that shows no evidence in time is
    /// convicted and excluded, and a proposer may stamp a block up to the clock skew ahead, so a
    /// short attempt timeout must not shorten this (review helper-68 M1).
    var presignEvidenceMillis: UInt64 { max(policy.document.signing.attemptTimeoutMillis, PresignBatch.evidenceTimeLimit) }

    /// Keeps every active ECDSA vault's presignature pool topped up: ends batches past their
    /// deadline (their silent signers sit out new batches for a while), then starts batches while
    /// fewer than `Vault.presignatureTarget` presignatures are pooled or under way. A batch's
    /// signers are 2t+1 of the vault's participants that are voting members and not excluded, a
    /// window rotated by the batch number, so every signer set gets presignatures.
    mutating func advancePresigning() {
        for id in vaults.keys.sorted() {
            guard let vault = vaults[id], vault.status == .active, vault.scheme == .ecdsaSecp256k1, vault.key != nil else { continue }
            // A batch in its blame phase is judged with whatever evidence arrived (withheld evidence
            // convicts); one still running ends, its unconfirmed signers marked silent.
            for batch in vault.presignBatches where batch.deadline <= time && batch.failedRun != nil { judge(batch, of: id) }
            var v = vaults[id]!
            for batch in v.presignBatches where batch.deadline <= time {
                for node in batch.signers where batch.confirmations[node] == nil { v.presignSilent[node] = time }
            }
            v.presignBatches.removeAll { $0.deadline <= time }
            v.presignSilent = v.presignSilent.filter { time - $0.value < presignEvidenceMillis }
            let memberIds = Set(members.map(\.id))
            let eligible = v.holders.filter { memberIds.contains($0) && !v.excluded.contains($0) }
            // What needs an excluded signer or a former member can never sign: it leaves the pool
            // (and the target counts only what can).
            let usable = Set(eligible)
            v.presignatures.removeAll { !$0.signers.allSatisfy(usable.contains) }
            v.presignBatches.removeAll { $0.failedRun == nil && !$0.signers.allSatisfy(usable.contains) }
            let needed = 2 * (v.minSigners - 1) + 1
            let rested = eligible.filter { v.presignSilent[$0] == nil }
            let pool = rested.count >= needed ? rested : eligible
            // No new batch while a reshare runs: its presignatures would be of shares about to be dropped.
            while v.runningReshare == nil, pool.count >= needed, v.presignBatches.count < PresignBatch.maximumRunning,
                  v.presignatures.count + v.presignBatches.count * PresignBatch.size < Vault.presignatureTarget {
                let offset = Int(v.nextPresignBatch % UInt32(pool.count))
                let signers = Array((pool[offset...] + pool[..<offset]).prefix(needed)).sorted()
                v.presignBatches.append(PresignBatch(number: v.nextPresignBatch, signers: signers, count: PresignBatch.size,
                                                     startedAt: time, startedHeight: height, deadline: time + policy.document.signing.attemptTimeoutMillis,
                                                     confirmations: [:]))
                v.nextPresignBatch += 1
            }
            if v != vault { vaults[id] = v }
        }
    }

    /// A signer's round-4 confirmations of a batch. Once every signer's are in, each run whose
    /// digests all agree (none empty) enters the pool; the others are dropped unused.
    mutating func transitionPresigning(_ entry: VaultEntry, from node: NodeID) throws(GovernanceError) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.ceremonyRefused, reason) }
        guard case .presigned(let id, let epoch, let number, let confirmations) = entry else { throw refused("not a presigning entry") }
        guard let vault = vaults[id] else { throw GovernanceError(.unknownVault, "no vault \"\(id.prefix(64))\"") }
        guard vault.status == .active, vault.scheme == .ecdsaSecp256k1 else { throw refused("vault \(id) is not an active ECDSA vault") }
        guard epoch == vault.epoch else { throw refused("vault \(id) is at epoch \(vault.epoch), not \(epoch)") }
        guard let at = vault.presignBatches.firstIndex(where: { $0.number == number }) else {
            throw refused("no presigning batch \(number) of \(id) is under way")
        }
        var batch = vault.presignBatches[at]
        guard batch.signers.contains(node) else { throw refused("\(node) is not a signer of presigning batch \(number) of \(id)") }
        guard batch.confirmations[node] == nil else { throw refused("\(node) already confirmed presigning batch \(number) of \(id)") }
        guard confirmations.count == batch.count else {
            throw refused("presigning batch \(number) of \(id) has \(batch.count) runs, not \(confirmations.count)")
        }
        batch.confirmations[node] = confirmations
        guard batch.confirmations.count == batch.signers.count else {
            vaults[id]!.presignBatches[at] = batch
            return .vault(id: id, status: .active)
        }
        let agreed = (0..<batch.count).map { index in
            let digests = Set(batch.signers.map { batch.confirmations[$0]![index] })
            return digests.count == 1 && !digests.first!.isEmpty ? digests.first : nil
        }
        if let failed = agreed.firstIndex(where: { $0 == nil }) {
            // A run failed: someone deviated. Every signer shows its part of that run (which reveals
            // the batch's round-1 messages, so none of the batch is pooled) by a new deadline.
            batch.failedRun = UInt16(failed)
            batch.deadline = time + presignEvidenceMillis
            vaults[id]!.presignBatches[at] = batch
            return .vault(id: id, status: .active)
        }
        vaults[id]!.presignBatches.remove(at: at)
        for (index, digest) in agreed.enumerated() {
            vaults[id]!.presignatures.append(PooledPresignature(batch: number, index: UInt16(index), signers: batch.signers,
                                                                startedHeight: batch.startedHeight, digest: digest!))
        }
        advanceSigning()
        return .vault(id: id, status: .active)
    }
}

extension Vault {
    /// The threshold-ECDSA identifiers of `nodes`: each one's 1-based participant index.
    public func ecdsaIdentifiers(_ nodes: [NodeID]) throws(MPCError) -> [ThresholdECDSA.ID] {
        var ids: [ThresholdECDSA.ID] = []
        for node in nodes {
            guard let index = index(of: node) else {
                throw MPCError(.unexpectedParticipant, "\(node) holds no share of \(id)", culprits: [node.rawValue])
            }
            ids.append(try ThresholdECDSA.ID(UInt64(index)))
        }
        return ids
    }
}
