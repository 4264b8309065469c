import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosPolicy

extension ReplicatedState {
    /// Opens the signing session of a message request the policy allowed: the signing input is
    /// what this node derives itself from the committed body and the vault's scheme
    /// (`MessageSigningInput`). A vault that cannot sign it records the session as failed, with
    /// the reason.
    mutating func sign(_ recorded: RecordedRequest) {
        let vaultId = recorded.request.vault
        guard let vault = vaults[vaultId] else { return }
        do {
            let message = try MessageSigningInput.input(committedBody: recorded.body, scheme: vault.scheme)
            try startSigning(request: recorded.id, vault: vaultId, message: message)
        } catch {
            failSigning(SigningSession(
                requestId: recorded.id, vault: vaultId, epoch: vault.epoch, message: [], status: .failed, attempt: 0, signers: [],
                commitments: [:], startedAt: time, startedHeight: height, deadline: 0, signature: nil, signedAt: nil, signedHeight: nil,
                signedBy: nil, blames: [], failure: error.reason))
        }
    }

    /// Opens the signing session of an allowed request that `vault` signs, with the key at
    /// `path` below the vault key: `message` is what every node derived from the committed
    /// request. It waits for nonces or a presignature if
    /// the pool has none for a usable signer set, and for an unfreeze while frozen. Refused for a
    /// vault that is not active.
    mutating func startSigning(request: String, vault id: String, message: [UInt8], path: [UInt32] = []) throws(GovernanceError) {
        guard let vault = vaults[id] else { throw GovernanceError(.unknownVault, "no vault \"\(id.prefix(64))\"") }
        guard vault.status == .active else { throw GovernanceError(.invalidRequest, "vault \(id) is \(vault.status.rawValue), not active") }
        guard signing[request] == nil else { throw GovernanceError(.invalidRequest, "request \(request) is already being signed") }
        // The offline signer signs with the vault key itself (`Vault.offline`): never below it.
        guard vault.offline == nil || path.isEmpty else {
            throw GovernanceError(.invalidRequest, "vault \(id) has an offline share: it signs with its key only, not a derived one")
        }
        signing[request] = SigningSession(
            requestId: request, vault: id, epoch: vault.epoch, message: message, status: .waiting, attempt: 0, signers: [],
            commitments: [:], startedAt: time, startedHeight: height, deadline: 0, signature: nil, signedAt: nil, signedHeight: nil,
            signedBy: nil, blames: [], failure: nil, path: path)
        assign(request)
    }

    /// The relay session of a signing attempt (`SessionName`): its shares travel under this id.
    /// The request names the attempt too (`request#attempt`), so no two attempts share a session.
    public func signingSessionID(_ s: SigningSession) -> [UInt8] {
        SessionName(mpcProtocol: .sign, vaultID: s.vault, keyEpoch: UInt64(s.epoch), signers: s.signers.map(\.rawValue),
                    requestID: "\(s.requestId)#\(s.attempt)", startHeight: s.startedHeight).sessionID(genesisDigest: genesisDigest)
    }

    /// Gives a waiting session its signers and their nonce commitments, if the pool allows and
    /// signing is not frozen. Signers are the vault's participants that are still voting
    /// members, not excluded, with a commitment in the pool, taken in id order rotated by the
    /// attempt number, so a signer set with a silent node is not tried twice in a row.
    mutating func assign(_ request: String) {
        guard !frozen, var s = signing[request], s.status == .waiting, let vault = vaults[s.vault] else { return }
        guard vault.status == .active, vault.epoch == s.epoch else {
            s.status = .failed
            s.failure = "vault \(s.vault) is no longer active at epoch \(s.epoch)"
            failSigning(s)
            return
        }
        // While the shares move to a new membership nothing signs; the request waits for the new epoch.
        guard vault.runningReshare == nil else { return }
        // An attempt of a vault with an offline share costs people a trip to the offline signer:
        // none starts for a request that can no longer be attested (dropped from the request
        // book, no longer allowed), review helper-142 L3.
        if vault.offline != nil, requestBook.requests[request]?.isAllowed != true {
            s.status = .failed
            s.failure = "request \(request) is no longer in the request book or no longer allowed: the offline signer could not be shown it"
            failSigning(s)
            return
        }
        let memberIds = Set(members.map(\.id))
        if vault.scheme == .ecdsaSecp256k1 {
            let usable = Set(vault.holders.filter { memberIds.contains($0) && !vault.excluded.contains($0) })
            let ready = vault.presignatures.indices.filter { vault.presignatures[$0].signers.allSatisfy(usable.contains) }
            guard !ready.isEmpty else { return }
            // Attempt k takes a presignature of the k-th distinct signer set in the pool (cyclically),
            // so a set with a silent node is not tried twice in a row.
            var sets: [[NodeID]] = []
            for i in ready where !sets.contains(vault.presignatures[i].signers) { sets.append(vault.presignatures[i].signers) }
            let chosen = sets[Int(s.attempt) % sets.count]
            let presignature = vaults[s.vault]!.presignatures.remove(at: ready.first { vault.presignatures[$0].signers == chosen }!)
            s.signers = presignature.signers
            s.presignature = presignature
            s.commitments = [:]
            s.status = .signing
            s.startedAt = time
            s.startedHeight = height
            s.deadline = time + policy.document.signing.attemptTimeoutMillis
            signing[request] = s
            return
        }
        let candidates = vault.holders.filter {
            memberIds.contains($0) && !vault.excluded.contains($0) && !(vault.nonces[$0] ?? []).isEmpty
        }
        guard candidates.count >= vault.minSigners else { return }
        let offset = Int(s.attempt) % candidates.count
        let rotated = Array(candidates[offset...] + candidates[..<offset])
        let signers = Array(rotated.prefix(vault.minSigners)).sorted()
        var commitments: [NodeID: [UInt8]] = [:]
        for node in signers { commitments[node] = vaults[s.vault]!.nonces[node]!.removeFirst() }
        s.status = .signing
        s.signers = signers
        s.commitments = commitments
        s.startedAt = time
        s.startedHeight = height
        s.deadline = time + policy.document.signing.attemptTimeoutMillis
        if vault.offline != nil {
            // The attempt first waits for the offline signer's answer: members attest it, people
            // carry the bundle to the air-gapped machine and its answer back.
            let answerDeadline = time + policy.document.signing.offlineTimeoutMillis
            s.offline = OfflineSigningAttempt(answerDeadline: answerDeadline)
            s.deadline = answerDeadline
        }
        signing[request] = s
    }

    /// Moves every attempt past its deadline to the next one (no blame: a signer may be down),
    /// failing the session after `maximumAttempts`; fails sessions that waited longer than
    /// `SigningSession.waitLimit`; then assigns waiting sessions.
    mutating func advanceSigning() {
        // In request-id order: retries take commitments from shared pools, so the order must be
        // the same on every node (a dictionary's is not).
        // Only open sessions are walked (finished ones pile up).
        let expired = signing.open.filter { $0.status == .signing && $0.deadline <= time }.map(\.requestId)
        for id in expired { retry(id, reason: "no signature by the deadline of attempt \(signing[id]!.attempt)") }
        for var s in signing.open where s.status == .waiting && s.startedAt + SigningSession.waitLimit <= time {
            s.status = .failed
            s.failure = "no signer set was ready within \(SigningSession.waitLimit / 60_000) minutes"
                + (frozen ? " (signing is frozen)" : vaults[s.vault]?.runningReshare != nil ? " (a reshare is running)" : "")
                + "; submit the request again"
            failSigning(s)
        }
        for id in signing.open.filter({ $0.status == .waiting }).map(\.requestId) { assign(id) }
        advancePresigning()
    }

    mutating func retry(_ id: String, reason: String) {
        guard var s = signing[id] else { return }
        s.attempt += 1
        s.signers = []
        s.commitments = [:]
        s.offline = nil
        // A presignature handed to an attempt is spent whatever happened: some signers may have used it.
        s.presignature = nil
        if s.attempt >= SigningSession.maximumAttempts {
            s.status = .failed
            s.failure = "\(reason); \(SigningSession.maximumAttempts) attempts made"
            failSigning(s)
            return
        }
        s.status = .waiting
        signing[id] = s
        assign(id)
    }

    /// A node's signing entry (nonce batch, signature, blame), after its signature was checked.
    mutating func transitionSigning(_ entry: VaultEntry, from node: NodeID) throws(GovernanceError) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.ceremonyRefused, reason) }
        guard let vault = vaults[entry.vault] else { throw GovernanceError(.unknownVault, "no vault \"\(entry.vault.prefix(64))\"") }
        guard vault.status == .active, let key = vault.key else { throw refused("vault \(vault.id) is \(vault.status.rawValue), not active") }
        guard entry.epoch == vault.epoch else { throw refused("vault \(vault.id) is at epoch \(vault.epoch), not \(entry.epoch)") }
        switch entry {
        case .nonces(_, _, let batch, let commitments):
            guard vault.index(of: node) != nil else { throw refused("\(node) holds no share of \(vault.id)") }
            guard batch == vault.nonceBatches[node, default: 0] else {
                throw refused("\(node)'s nonce batch \(batch) for \(vault.id) is not its next (\(vault.nonceBatches[node, default: 0]))")
            }
            let pooled = vault.nonces[node, default: []]
            guard pooled.count + commitments.count <= Vault.maximumPooledNonces else {
                throw refused("\(node) would pool more than \(Vault.maximumPooledNonces) nonce commitments for \(vault.id)")
            }
            for (i, c) in commitments.enumerated() {
                do { try FROSTSigningCheck.checkCommitments(vault.scheme, c) } catch {
                    throw refused("commitment \(i) of \(node): \(error.reason)")
                }
            }
            guard Set(commitments).count == commitments.count, Set(pooled).isDisjoint(with: commitments) else {
                throw refused("\(node) published a nonce commitment twice")
            }
            vaults[vault.id]!.nonces[node] = pooled + commitments
            vaults[vault.id]!.nonceBatches[node] = batch + 1
            advanceSigning()
            return .vault(id: vault.id, status: .active)
        case .signature(_, _, let request, let signature):
            guard var s = signing[request], s.vault == vault.id else { throw refused("no signing session of \(vault.id) for request \(request.prefix(128))") }
            // A session that failed after signers took part may still have produced a signature
            // (a gateway can withhold it from the log): one that verifies is still taken.
            guard s.status == .signing || s.status == .waiting || (s.status == .failed && s.attempt > 0) else {
                throw refused("request \(request) is already \(s.status.rawValue)")
            }
            guard SignatureCheck.verifies(vault.scheme, key: key, message: s.message, signature: signature, path: s.path) else {
                throw refused("the signature \(node) submitted for request \(request) does not verify under \(vault.id)'s key")
            }
            s.status = .signed
            s.signature = signature
            s.signedAt = time
            s.signedHeight = height
            s.signedBy = node
            signing[request] = s
            recordSignedTransaction(request, signature: signature)
            return .signed(requestId: request)
        case .blame(_, _, let request, let attempt, let accused, let evidence):
            // An ECDSA share is judged against its presigning transcript (`vault.ecdsa.blame`).
            guard vault.scheme != .ecdsaSecp256k1 else { throw refused("vault \(vault.id) is an ECDSA vault: blame with \(VaultEntry.ecdsaBlameKind)") }
            guard let s = signing[request], s.vault == vault.id, s.status == .signing, s.attempt == attempt else {
                throw refused("no signing attempt \(attempt) of \(vault.id) under way for request \(request.prefix(128))")
            }
            guard s.signers.contains(node), s.signers.contains(accused), accused != node,
                  let accusedIndex = vault.index(of: accused)
            else { throw refused("\(node) and \(accused) are not two signers of attempt \(attempt) for request \(request)") }
            // No online share is due before the offline signer's answer: nothing to judge yet.
            guard vault.offline == nil || s.offline?.answer != nil else {
                throw refused("attempt \(attempt) of request \(request) has no offline answer yet: no signature share is due")
            }
            // The signed header decides whose the envelope is: one the accused signed for the
            // complainant's transport key in this attempt's session and round proves that whatever
            // is wrong inside it (a share that does not verify, or a plaintext that is not a share
            // for this vault, epoch, attempt and recipient) is the accused's. Anything else is the
            // complainant's fabrication.
            let accusedKey = members.first(where: { $0.id == accused })?.publicKeyBytes
            let complainantTransport = members.first(where: { $0.id == node })?.transportKeyBytes
            var culprit = node
            var reason = "\(node) blamed \(accused) with evidence that is not an envelope \(accused) signed for it in this attempt"
            if evidence.header.sessionID == signingSessionID(s), evidence.header.round == VaultEntry.signatureShareRound,
               evidence.header.sender == accusedKey, evidence.header.recipient == complainantTransport, evidence.isAuthentic {
                var commitments: [Int: [UInt8]] = [:]
                for signer in s.signers { commitments[vault.index(of: signer)!] = s.commitments[signer]! }
                let message = try? VaultShareMessage(encoded: evidence.plaintext)
                let fits = message.map { $0.vault == vault.id && $0.epoch == vault.epoch
                    && $0.signing == .init(request: request, attempt: attempt) && $0.recipient == node } ?? false
                var valid = false
                if fits, let message {
                    // It throws only when what the log holds does not decode: no signer's fault,
                    // so nobody is convicted and the attempt runs to its deadline.
                    do {
                        valid = try FROSTSigningCheck.shareVerifies(vault.scheme, key: key, commitments: commitments, message: s.message,
                                                                    share: message.unsafeShare, signer: accusedIndex,
                                                                    additive: Self.offlineAdditive(s, vault))
                    } catch {
                        throw refused("the blame of \(accused) by \(node) cannot be judged: \(error.reason)")
                    }
                }
                if valid {
                    reason = "\(node) blamed \(accused) falsely: the share verifies"
                } else {
                    culprit = accused
                    reason = fits ? "\(accused) sent \(node) a signature share that does not verify (signed evidence)"
                        : "\(accused) sent \(node) a signed envelope in this attempt that is not a share for it (signed evidence)"
                }
            }
            signing[request]!.blames.append(.init(attempt: attempt, culprit: culprit, reason: reason, at: time))
            if !vaults[vault.id]!.excluded.contains(culprit) { vaults[vault.id]!.excluded = (vault.excluded + [culprit]).sorted() }
            retry(request, reason: reason)
            return .vault(id: vault.id, status: .active)
        case .ecdsaBlame(_, _, let request, let attempt, let accused, let evidence, let transcript):
            guard let s = signing[request], s.vault == vault.id, s.status == .signing, s.attempt == attempt, let p = s.presignature else {
                throw refused("no threshold-ECDSA signing attempt \(attempt) of \(vault.id) under way for request \(request.prefix(128))")
            }
            guard s.signers.contains(node), s.signers.contains(accused), accused != node else {
                throw refused("\(node) and \(accused) are not two signers of attempt \(attempt) for request \(request)")
            }
            let (culprit, reason) = try judgeECDSABlame(s, p, vault: vault, key: key, complainant: node, accused: accused, evidence: evidence,
                                                        transcript: transcript)
            signing[request]!.blames.append(.init(attempt: attempt, culprit: culprit, reason: reason, at: time))
            if !vaults[vault.id]!.excluded.contains(culprit) { vaults[vault.id]!.excluded = (vault.excluded + [culprit]).sorted() }
            retry(request, reason: reason)
            return .vault(id: vault.id, status: .active)
        case .commit, .confirm, .complain, .timeout, .presigned, .presignEvidence, .refreshDeal, .refreshConfirm, .refreshComplaint:
            throw refused("not a signing entry")
        }
    }
}

extension ReplicatedState {
    /// Who is wrong in a threshold-ECDSA blame. The signed header decides whose the envelope is
    /// (as for FROST); the complainant's transcript must be the presigning run the signers
    /// confirmed (its round-3 digest is the pooled presignature's), and fixes what the accused's
    /// share must be. A transcript that is not that run, or a share that verifies, makes the
    /// complainant the culprit; a share that is not a scalar or does not verify, the accused.
    /// What no signer supplied (the vault key, the message, the attempt's entropy) failing to
    /// decode, or the confirmed run failing to check a share, convicts nobody: the blame is
    /// refused and the attempt runs to its deadline.
    private func judgeECDSABlame(
        _ s: SigningSession, _ p: PooledPresignature, vault: Vault, key: VaultKey, complainant node: NodeID, accused: NodeID,
        evidence: SignedEnvelope.Evidence, transcript: [UInt8]
    ) throws(GovernanceError) -> (culprit: NodeID, reason: String) {
        func unjudgeable(_ error: MPCError) -> GovernanceError {
            GovernanceError(.ceremonyRefused, "the blame of \(accused) by \(node) cannot be judged: \(error.reason)")
        }
        let accusedKey = members.first(where: { $0.id == accused })?.publicKeyBytes
        let complainantTransport = members.first(where: { $0.id == node })?.transportKeyBytes
        guard evidence.header.sessionID == signingSessionID(s), evidence.header.round == VaultEntry.signatureShareRound,
              evidence.header.sender == accusedKey, evidence.header.recipient == complainantTransport, evidence.isAuthentic
        else { return (node, "\(node) blamed \(accused) with evidence that is not an envelope \(accused) signed for it in this attempt") }
        let message = try? VaultShareMessage(encoded: evidence.plaintext)
        guard let message, message.vault == vault.id, message.epoch == vault.epoch,
              message.signing == .init(request: s.requestId, attempt: s.attempt), message.recipient == node
        else { return (accused, "\(accused) sent \(node) a signed envelope in this attempt that is not a share for it (signed evidence)") }
        let publicKey: Secp256k1.Point
        let request: ThresholdECDSA.SignRequest
        let signer: ThresholdECDSA.ID
        let context: ThresholdECDSA.PresignContext
        do {
            publicKey = try PublicKeyPackage<ThresholdECDSA.Suite>(serializedBytes: key.publicKeyPackage).verifyingKey
            request = try signRequest(s, key: key)
            signer = try vault.ecdsaIdentifiers([accused])[0]
            context = try presignContext(p, of: vault)
        } catch {
            throw unjudgeable(error)
        }
        let publicData: ThresholdECDSA.PresignaturePublicData
        do {
            publicData = try ThresholdECDSA.PresignTranscript(serializedBytes: transcript).publicData(context: context, confirmation: p.digest)
        } catch {
            return (node, "\(node) blamed \(accused) with a presigning transcript that is not the one the signers confirmed")
        }
        guard message.unsafeShare.count == 32, let scalar = try? Secp256k1.Scalar(rawRepresentation: message.unsafeShare) else {
            return (accused, "\(accused) sent \(node) a signature share that is not a scalar (signed evidence)")
        }
        let valid: Bool
        do {
            valid = try ThresholdECDSA.shareVerifies(.init(share: scalar), of: signer, publicData: publicData, publicKey: publicKey, request: request)
        } catch {
            throw unjudgeable(error)
        }
        return valid ? (node, "\(node) blamed \(accused) falsely: the share verifies")
            : (accused, "\(accused) sent \(node) a signature share that does not verify (signed evidence)")
    }
}
