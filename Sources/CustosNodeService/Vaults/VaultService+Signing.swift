import CustosCore
import CustosCrypto
import CustosLedger
import CustosNode
import CustosSigning
import CustosState
import Logging

extension VaultService {
    /// Keeps this node's nonce pools full and takes its part in every signing attempt the
    /// committed state assigns it:
    ///
    /// - pools: for each active FROST vault it holds a share of, once half its pool is gone, it
    ///   makes nonce pairs, stores them sealed, and only then publishes their commitments
    ///   (`vault.frost.nonces`), after its signing steps;
    /// - shares: for an attempt that names it, `FROSTSigningRound` re-checks the request in this
    ///   node's own state, records the nonce's use and computes the share, which is sealed for
    ///   each other signer and posted; the spent nonce is deleted from the store;
    /// - aggregation: with every signer's share, it combines them; the attempt's first signer
    ///   submits the signature at once, the others if it is not committed after
    ///   `resubmitAfter`; a share that does not verify is blamed with its signed envelope.
    func advanceSigning(in state: ReplicatedState) async {
        let now = clock()
        let open = state.signing.open.filter { $0.status == .signing }
        for session in open where session.deadline + Self.deadlineGrace <= now {
            // Block time moves only with blocks: say the deadline passed, so a block carries it.
            try? await submit(.timeout(vault: session.vault, epoch: session.epoch, request: session.requestId, attempt: session.attempt),
                              subject: "\(session.requestId)/\(session.attempt)@\(session.startedHeight)", state: state)
        }
        await attestOfflineAttempts(open, in: state)
        sweepKeptShares(in: state)
        let mine = open.filter { $0.signers.contains(identity.id) }
        // This node's shares for every attempt, then posted together: one relay request however
        // many requests are being signed.
        var unposted: [Session] = []
        for session in mine {
            do { if try share(session, in: state) { unposted.append(.signing(request: session.requestId, attempt: session.attempt, height: session.startedHeight)) } } catch {
                logger.error("signing step failed", metadata: ["request": "\(session.requestId)", "error": "\("\(error)".printable(limit: 512))"])
            }
        }
        if !unposted.isEmpty {
            do {
                if try await post(unposted.flatMap { attempts[$0]?.outgoing ?? [] }, what: "signature shares for \(unposted.count) requests") {
                    for key in unposted { attempts[key]?.posted = true }
                }
            } catch {
                logger.error("posting signature shares failed", metadata: ["error": "\("\(error)".printable(limit: 512))"])
            }
        }
        // Then every attempt with all its shares here is combined, and what that yields (a
        // signature, or a blame) is submitted together.
        var made: [(entry: VaultEntry, subject: String)] = []
        for session in mine {
            do { if let entry = try combine(session, in: state) { made.append(entry) } } catch {
                logger.error("signing step failed", metadata: ["request": "\(session.requestId)", "error": "\("\(error)".printable(limit: 512))"])
            }
        }
        await submit(made, state: state)
        // Shares first, refills after: a signature never waits behind this node's pool. None while
        // a reshare runs: the pool of the old epoch is dropped when it completes.
        for vault in state.vaults.values.sorted(by: { $0.id < $1.id })
        where vault.status == .active && vault.scheme != .ecdsaSecp256k1 && vault.index(of: identity.id) != nil && vault.runningReshare == nil
            && !vault.excluded.contains(identity.id) && environment.mayHold(vault.environment) {
            do { try await refill(vault, in: state) } catch {
                logger.error("nonce pool refill failed", metadata: ["vault": "\(vault.id)", "error": "\("\(error)".printable(limit: 512))"])
            }
        }
    }

    private func refill(_ vault: Vault, in state: ReplicatedState) async throws {
        let next = vault.nonceBatches[identity.id] ?? 0
        if let pending = pendingBatch[vault.id] {
            let key = VaultEntry.noncesKind + " " + "\(vault.id)/\(vault.epoch)/\(pending)"
            if pending >= next, submitted[key] != nil {
                try await resubmitIfDue(key)
                return
            }
            // Committed, or given up on (no longer kept for resubmission): make the next batch.
            pendingBatch[vault.id] = nil
        }
        let pooled = vault.nonces[identity.id]?.count ?? 0
        // Refilled in one batch once half the pool is gone (a full one is topped up at start), not
        // one nonce per signature: each batch is a log entry.
        guard pooled == 0 || pooled <= poolDepth / 2 else { return }
        let shareID = NodeDatabase.vaultShareID(vault: vault.id, epoch: UInt64(vault.epoch))
        guard let keyShare = try database.secret(kind: .vaultKeyShare, id: shareID) else {
            logger.error("no key share stored for an active vault; this node cannot sign for it", metadata: ["vault": "\(vault.id)"])
            return
        }
        var commitments: [[UInt8]] = []
        for _ in 0..<min(VaultEntry.maximumNonceBatch, poolDepth - pooled) {
            let made = try FROSTSigningRound.nonces(vault.scheme, keyShare: keyShare)
            // Stored before the commitment is published: a published commitment always has its pair.
            try database.storeSecret(made.sealed, kind: .frostNonce,
                                     id: FROSTSigningRound.nonceID(vault: vault.id, epoch: vault.epoch, commitment: made.commitment))
            commitments.append(made.commitment)
        }
        pendingBatch[vault.id] = next
        counters.noncesPublished += commitments.count
        try await submit(.nonces(vault: vault.id, epoch: vault.epoch, batch: next, commitments: commitments),
                         subject: "\(vault.id)/\(vault.epoch)/\(next)", state: state)
    }

    /// Makes this node's share of an attempt that names it, once; true if it is made and not
    /// yet posted, and may be posted now (checked again before it leaves: a freeze may have
    /// committed since it was made).
    private func share(_ s: SigningSession, in state: ReplicatedState) throws -> Bool {
        let key = Session.signing(request: s.requestId, attempt: s.attempt, height: s.startedHeight)
        var attempt = attempts[key] ?? Attempt()
        defer { attempts[key] = attempt }
        guard !attempt.refused, let vault = state.vaults[s.vault] else { return false }
        // A vault with an offline share: no share before the offline signer's answer is in the
        // log (the package includes it); the attempt is not refused meanwhile.
        guard vault.offline == nil || s.offline?.answer != nil else { return false }
        if attempt.outgoing == nil {
            if vault.scheme == .ecdsaSecp256k1 {
                guard let p = s.presignature else { return false }
                let presignatureID = ECDSASigningRound.presignatureID(vault: vault.id, epoch: s.epoch, batch: p.batch, index: p.index)
                var made: ECDSASigningRound.Share?
                try release(s, &attempt, secret: (.presignature, presignatureID), in: state) { keyShare, stored in
                    made = try ECDSASigningRound.share(state, request: s.requestId, me: identity.id, keyPackage: keyShare, stored: stored,
                                                       signer: OneTimeSigner(database: database))
                    return made!.messages
                }
                attempt.presignPublic = made?.publicData
                attempt.transcript = made?.transcript
            } else if vault.offline != nil, let kept = try database.secret(kind: .signatureShare, id: Self.keptShareID(s)) {
                try resend(s, &attempt, kept: kept, in: state)
            } else {
                let nonceID = FROSTSigningRound.nonceID(vault: vault.id, epoch: s.epoch, commitment: s.commitments[identity.id]!)
                try release(s, &attempt, secret: (.frostNonce, nonceID), keep: vault.offline != nil, in: state) { keyShare, nonces in
                    try FROSTSigningRound.share(state, request: s.requestId, me: identity.id, keyShare: keyShare, nonces: nonces,
                                                signer: OneTimeSigner(database: database))
                }
            }
        }
        return attempt.outgoing != nil && !attempt.posted && (try? FROSTSigningRound.check(state, request: s.requestId, me: identity.id)) != nil
    }

    /// With every signer's share of an attempt here, combines them: the signature to submit (the
    /// attempt's first signer at once, the others if it is not committed after
    /// `resubmitAfter`), or a blame of the signer whose share does not verify; nil while shares
    /// are missing or nothing is due.
    private func combine(_ s: SigningSession, in state: ReplicatedState) throws -> (entry: VaultEntry, subject: String)? {
        let key = Session.signing(request: s.requestId, attempt: s.attempt, height: s.startedHeight)
        guard var attempt = attempts[key], !attempt.refused, attempt.share != nil, let vault = state.vaults[s.vault] else { return nil }
        defer { attempts[key] = attempt }
        let subject = "\(s.requestId)/\(s.attempt)@\(s.startedHeight)"
        // Combined once, from the first complete set of shares: every later step (each commit and
        // inbox batch until the entry commits) only asks whether the signature is due, or blames
        // again, whatever a peer sent since.
        if let signature = attempt.signature { return signatureEntry(signature, s, vault, subject, &attempt) }
        if let blame = attempt.blame { return (blame, subject) }
        let received = inbox[key] ?? [:]
        guard s.signers.allSatisfy({ $0 == identity.id || received[$0] != nil }) else { return nil }
        var shares: [NodeID: [UInt8]] = [:]
        shares[identity.id] = attempt.share
        var outcome: FROSTSigningRound.Aggregate?
        for peer in s.signers where peer != identity.id {
            // A plaintext that is not a share for this attempt and node is the sender's fault.
            guard let message = try? VaultShareMessage(encoded: received[peer]!.plaintext), message.vault == vault.id,
                  message.epoch == s.epoch, message.signing == .init(request: s.requestId, attempt: s.attempt), message.recipient == identity.id
            else {
                outcome = .wrongShare(culprit: peer)
                break
            }
            shares[peer] = message.unsafeShare
        }
        if outcome == nil, vault.scheme == .ecdsaSecp256k1 {
            // Without the presignature's public data (this node restarted) the others combine.
            guard let publicData = attempt.presignPublic else { return nil }
            outcome = try ECDSASigningRound.aggregate(state, request: s.requestId, shares: shares, publicData: publicData)
        }
        switch try outcome ?? FROSTSigningRound.aggregate(state, request: s.requestId, shares: shares) {
        case .signature(let signature):
            attempt.signature = signature
            return signatureEntry(signature, s, vault, subject, &attempt)
        case .wrongShare(let culprit):
            guard culprit != identity.id, let evidence = received[culprit] else {
                logger.critical("this node's own signature share does not verify", metadata: ["request": "\(s.requestId)"])
                return nil
            }
            if submitted[VaultEntry.blameKind + " " + subject] == nil {
                counters.blames += 1
                logger.error("a signer's share does not verify; blaming it with its signed envelope",
                             metadata: ["request": "\(s.requestId)", "signer": "\(culprit)"])
            }
            let blame: VaultEntry = vault.scheme == .ecdsaSecp256k1
                ? .ecdsaBlame(vault: vault.id, epoch: s.epoch, request: s.requestId, attempt: s.attempt, accused: culprit,
                              evidence: evidence, transcript: attempt.transcript ?? [])
                : .blame(vault: vault.id, epoch: s.epoch, request: s.requestId, attempt: s.attempt, accused: culprit, evidence: evidence)
            attempt.blame = blame
            return (blame, subject)
        }
    }

    /// The entry of an attempt's combined `signature` when it is this node's to submit: the
    /// attempt's first signer at once, the others once `resubmitAfter` has passed since this node
    /// first found it due (the first signer has not got it committed); nil otherwise.
    private func signatureEntry(_ signature: [UInt8], _ s: SigningSession, _ vault: Vault, _ subject: String,
                                _ attempt: inout Attempt) -> (entry: VaultEntry, subject: String)? {
        if attempt.complete == nil { attempt.complete = .now }
        guard s.signers.first == identity.id || ContinuousClock.now - attempt.complete! >= resubmitAfter else { return nil }
        if submitted[VaultEntry.signatureKind + " " + subject] == nil { counters.signaturesSubmitted += 1 }
        return (.signature(vault: vault.id, epoch: s.epoch, request: s.requestId, signature: signature), subject)
    }

    /// Computes this node's share of an attempt with `make`, from its key share and the one-time
    /// `secret` the log assigned it (a FROST nonce pair or a presignature; `make` records its use
    /// before computing), deletes the spent secret and seals the shares for the other signers.
    /// A missing secret or a refusal (the node's own re-check) marks the attempt refused.
    /// `keep`: the attempt is of a vault with an offline share, whose share is kept until the
    /// attempt ends (`SecretKind.signatureShare`) so that a restart sends it again (`resend`).
    private func release(
        _ s: SigningSession, _ attempt: inout Attempt, secret: (kind: NodeDatabase.SecretKind, id: [UInt8]), keep: Bool = false,
        in state: ReplicatedState, _ make: (_ keyShare: SecretBytes, _ secret: SecretBytes) throws -> [NodeID: VaultShareMessage]
    ) throws {
        func refuse(_ message: Logger.Message, _ reason: String? = nil) {
            attempt.refused = true
            counters.signingRefusals += 1
            var metadata: Logger.Metadata = ["request": "\(s.requestId)", "attempt": "\(s.attempt)"]
            if let reason { metadata["reason"] = "\(reason.printable(limit: 512))" }
            logger.warning(message, metadata: metadata)
        }
        guard let keyShare = try database.secret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: s.vault, epoch: UInt64(s.epoch))),
              let oneTime = try database.secret(kind: secret.kind, id: secret.id)
        else { return refuse("no key share or one-time secret stored for what the log assigned this node") }
        let messages: [NodeID: VaultShareMessage]
        do { messages = try make(keyShare, oneTime) } catch { return refuse("refusing to sign", "\(error)") }
        if keep {
            // Kept before anything else can fail: the nonce is spent whatever happens next.
            do {
                try database.storeSecret(SecretBytes(messages[identity.id]!.unsafeShare), kind: .signatureShare, id: Self.keptShareID(s))
                mayHoldKeptShares = true
            } catch {
                logger.error("keeping the signature share of an offline vault's attempt failed; a restart before it is sent loses it",
                             metadata: ["request": "\(s.requestId)", "error": "\("\(error)".printable(limit: 512))"])
            }
        }
        faults.nonceUseRecorded(logger: logger)
        // The use is on record: the secret never signs again, so it need not be kept.
        _ = try? database.deleteSecret(kind: secret.kind, id: secret.id)
        attempt.share = messages[identity.id]!.unsafeShare
        attempt.outgoing = try seal(messages.mapValues { faults.share($0, logger: logger) }, session: state.signingSessionID(s),
                                    round: VaultEntry.signatureShareRound, state: state)
        counters.sharesReleased += 1
    }

    /// The store id of this node's kept share for `s`'s current attempt: `request#attempt`.
    static func keptShareID(_ s: SigningSession) -> [UInt8] { Array("\(s.requestId)#\(s.attempt)".utf8) }

    /// Sends again the share this node kept for an attempt of a vault with an offline share, after
    /// a restart lost it: the same share over the same package (its nonce is spent), only while
    /// this node's own state still lets the attempt be signed.
    private func resend(_ s: SigningSession, _ attempt: inout Attempt, kept: SecretBytes, in state: ReplicatedState) throws {
        do { _ = try FROSTSigningRound.check(state, request: s.requestId, me: identity.id) } catch {
            attempt.refused = true
            counters.signingRefusals += 1
            logger.warning("refusing to send a kept share again", metadata: ["request": "\(s.requestId)", "reason": "\(error.reason.printable(limit: 512))"])
            return
        }
        let share = kept.unsafeCopyBytes()
        var messages: [NodeID: VaultShareMessage] = [:]
        for peer in s.signers {
            messages[peer] = VaultShareMessage(vault: s.vault, epoch: s.epoch, signing: .init(request: s.requestId, attempt: s.attempt),
                                               recipient: peer, unsafeShare: share)
        }
        attempt.share = share
        attempt.outgoing = try seal(messages.filter { $0.key != identity.id }, session: state.signingSessionID(s),
                                    round: VaultEntry.signatureShareRound, state: state)
        logger.notice("sending a kept signature share again after a restart", metadata: ["request": "\(s.requestId)", "attempt": "\(s.attempt)"])
    }

    /// Deletes the kept shares of attempts no longer under way (signed, failed, moved on).
    func sweepKeptShares(in state: ReplicatedState) {
        guard mayHoldKeptShares else { return }
        func underWay(_ id: [UInt8]) -> Bool {
            let parts = String(decoding: id, as: UTF8.self).split(separator: "#")
            guard parts.count == 2, let s = state.signing[String(parts[0])] else { return false }
            return s.status == .signing && "\(s.attempt)" == parts[1]
        }
        do {
            var kept = false
            for id in try database.secretIDs(kind: .signatureShare) {
                if underWay(id) { kept = true } else { try database.deleteSecret(kind: .signatureShare, id: id) }
            }
            mayHoldKeptShares = kept
        } catch {
            logger.error("sweeping kept signature shares failed", metadata: ["error": "\("\(error)".printable(limit: 512))"])
        }
    }
}
