import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    static let digestTag = "custos.governance.state.v2"

    /// Refusals and failures enter by their stable codes only, never by their English reasons.
    /// SHA-256 over the canonical encoding of everything governed: users (sorted by id) with
    /// roles and credentials (counters included), the policy text and version, the freeze flag,
    /// operations (sorted by id) with their lifecycle, the refusals and the latest block time;
    /// then bots (sorted by id) with keys, roles and activity, the replay cache (nonces sorted,
    /// with its clock and pruning time) and the recorded requests in log order with their
    /// decisions (and, for one held for approvals, its approvals); then, when any operation recorded one, every operation's rejections.
    /// Two nodes agree on the state exactly when their digests are equal. Computed once per
    /// state: reading it again, or from an unchanged copy, costs nothing.
    public var digest: [UInt8] { digestCache.digest { encodedDigest } }

    private var encodedDigest: [UInt8] {
        var w = CanonicalWriter(tag: Self.digestTag)
        w.append(string: clusterName)
        w.append(lengthPrefixed: genesisDigest)
        w.append(time)
        w.append(UInt32(users.count))
        for id in users.keys.sorted() {
            let u = users[id]!
            w.append(string: u.id)
            w.append(strings: u.roles)
            w.append(u.active)
            w.append(UInt32(u.credentials.count))
            for c in u.credentials {
                w.append(lengthPrefixed: c.credentialId)
                w.append(lengthPrefixed: c.publicKey)
                w.append(c.signCount)
                w.append(lengthPrefixed: c.aaguid)
                w.append(c.userVerified)
                w.append(c.backupEligible)
                w.append(c.backedUp)
                w.append(c.isSoftware)
            }
        }
        w.append(string: policyYAML)
        w.append(UInt64(bitPattern: Int64(policyVersion)))
        w.append(frozen)
        w.append(UInt32(operations.count))
        for id in operations.keys.sorted() {
            let op = operations[id]!
            w.append(lengthPrefixed: op.proposal.encoded)
            w.append(string: op.status.rawValue)
            w.append(op.proposedAt)
            w.append(op.expiresAt)
            w.append(strings: op.approvals)
            w.append(optional: op.rejectedBy.map { Array($0.utf8) })
            w.append(optional: op.decidedAt.map { t in (0..<8).map { UInt8(truncatingIfNeeded: t >> (56 - 8 * UInt64($0))) } })
            // Whether it failed, not the wording of why: wording may change between versions.
            w.append(op.failure != nil)
        }
        w.append(UInt32(refusals.count))
        for r in refusals {
            w.append(r.blockTime)
            w.append(string: r.kind)
            w.append(optional: r.operationId.map { Array($0.utf8) })
            w.append(optional: r.user.map { Array($0.utf8) })
            w.append(string: r.error.code.description)
            w.append(string: r.error.webAuthn?.description ?? "")
            w.append(string: r.error.requestSigning?.description ?? "")
        }
        w.append(UInt32(bots.count))
        for id in bots.keys.sorted() {
            let b = bots[id]!
            w.append(string: b.id)
            w.append(b.key)
            w.append(strings: b.roles)
            w.append(b.active)
        }
        let replayCache = requestBook.replayCache
        w.append(UInt32(replayCache.capacity))
        w.append(UInt64(bitPattern: replayCache.latestTime))
        w.append(UInt64(bitPattern: replayCache.lastPruned))
        w.append(UInt32(replayCache.entries.count))
        // Keys compare by their UTF-8 bytes, the same on every platform.
        for (key, timestamp) in replayCache.entries.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }) {
            w.append(string: key)
            w.append(UInt64(bitPattern: timestamp))
        }
        w.append(UInt32(requestBook.order.count))
        for id in requestBook.order {
            let r = requestBook.requests[id]!
            w.append(string: r.id)
            w.append(string: r.initiator)
            w.append(string: r.initiatorKind.rawValue)
            w.append(r.blockTime)
            w.append(UInt64(bitPattern: r.timestamp))
            w.append(string: r.nonce)
            w.append(lengthPrefixed: r.body)
            w.append(UInt64(bitPattern: Int64(r.policyVersion)))
            w.append(r.decision)
            // Only a request held for approvals has them, so other requests keep their encoding.
            if let approvals = r.approvals { w.append(approvals) }
        }
        w.append(UInt32(members.count))
        for m in members {
            w.append(string: m.id.rawValue)
            w.append(lengthPrefixed: m.publicKeyBytes)
            w.append(lengthPrefixed: m.transportKeyBytes)
        }
        w.append(UInt32(retiredMemberKeys.count))
        for key in retiredMemberKeys.sorted(by: { $0.lexicographicallyPrecedes($1) }) { w.append(lengthPrefixed: key) }
        // Rooms added after v2 append their section only when they hold something, so the
        // digest of a state without them keeps its pinned value.
        if !vaults.isEmpty { appendVaults(to: &w) }
        if !signing.isEmpty { appendSigning(to: &w) }
        if operations.values.contains(where: { !$0.rejections.isEmpty }) { appendRejections(to: &w) }
        return Hashes.sha256(w.bytes)
    }

    /// Every operation (sorted by id) with the rejections it recorded, in log order.
    private func appendRejections(to w: inout CanonicalWriter) {
        w.append(string: "rejections")
        let rejected = operations.keys.sorted().filter { !operations[$0]!.rejections.isEmpty }
        w.append(UInt32(rejected.count))
        for id in rejected {
            w.append(string: id)
            w.append(strings: operations[id]!.rejections)
        }
    }

    /// The vaults room: every vault (sorted by id) with its ceremony transcript, key and
    /// recorded addresses.
    private func appendVaults(to w: inout CanonicalWriter) {
        w.append(string: "vaults")
        w.append(UInt32(vaults.count))
        for id in vaults.keys.sorted() {
            let v = vaults[id]!
            let c = v.ceremony
            w.append(string: v.id)
            w.append(string: v.label)
            w.append(string: v.scheme.rawValue)
            w.append(string: v.environment.rawValue)
            w.append(string: v.status.rawValue)
            w.append(string: c.operationId)
            w.append(c.epoch)
            w.append(strings: c.participants.map(\.rawValue))
            w.append(UInt32(c.minSigners))
            w.append(c.startedAt)
            w.append(c.startedHeight)
            w.append(c.deadline)
            for p in c.participants {
                w.append(optional: c.commitments[p].map { x in
                    var e = CanonicalWriter()
                    e.append(lengthPrefixed: x.package)
                    e.append(lengthPrefixed: x.chainCodeCommitment)
                    e.append(x.at)
                    return e.bytes
                })
                w.append(optional: c.confirmations[p].map { x in
                    var e = CanonicalWriter()
                    e.append(lengthPrefixed: x.groupKey)
                    e.append(lengthPrefixed: x.transcriptDigest)
                    e.append(string: x.softwareVersion)
                    e.append(lengthPrefixed: x.chainCodeReveal)
                    e.append(x.at)
                    return e.bytes
                })
            }
            w.append(optional: c.expected.map { $0.groupKey + $0.transcriptDigest + Hashes.sha256($0.publicKeyPackage) })
            w.append(optional: v.key.map { k in
                var e = CanonicalWriter()
                e.append(lengthPrefixed: k.groupKey)
                e.append(lengthPrefixed: k.publicKeyPackage)
                e.append(lengthPrefixed: k.chainCode)
                e.append(k.activatedAt)
                e.append(k.activatedHeight)
                return e.bytes
            })
            // Who failed it and when, not the wording of why.
            w.append(optional: v.failure.map { f in
                var e = CanonicalWriter()
                e.append(f.at)
                e.append(strings: f.culprits.map(\.rawValue))
                e.append(strings: f.silent.map(\.rawValue))
                return e.bytes
            })
            for p in c.participants {
                let pooled = v.nonces[p] ?? []
                w.append(UInt32(pooled.count))
                for n in pooled { w.append(lengthPrefixed: n) }
                w.append(v.nonceBatches[p] ?? 0)
            }
            w.append(strings: v.excluded.map(\.rawValue))
            if v.scheme == .ecdsaSecp256k1 {
                w.append(UInt32(v.presignBatches.count))
                for b in v.presignBatches {
                    w.append(b.number)
                    w.append(strings: b.signers.map(\.rawValue))
                    w.append(UInt32(b.count))
                    w.append(b.startedAt)
                    w.append(b.startedHeight)
                    w.append(b.deadline)
                    for signer in b.signers {
                        w.append(optional: b.confirmations[signer].map { c in
                            var e = CanonicalWriter()
                            for d in c { e.append(lengthPrefixed: d) }
                            return e.bytes
                        })
                        w.append(optional: b.evidence[signer].map { Hashes.sha256($0) })
                    }
                    w.append(optional: b.failedRun.map { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] })
                }
                // Who was convicted and when, not the wording of why.
                w.append(UInt32(v.presignBlames.count))
                for blame in v.presignBlames {
                    w.append(blame.batch)
                    w.append(strings: blame.culprits.map(\.rawValue))
                    w.append(blame.at)
                }
                w.append(UInt32(v.presignatures.count))
                for p in v.presignatures { w.append(p) }
                w.append(v.nextPresignBatch)
                w.append(UInt32(v.presignSilent.count))
                for node in v.presignSilent.keys.sorted() {
                    w.append(string: node.rawValue)
                    w.append(v.presignSilent[node]!)
                }
            }
            w.append(UInt32(v.addresses.count))
            for a in v.addresses {
                w.append(string: a.label)
                w.append(string: a.chain.rawValue)
                w.append(UInt32(a.path.count))
                for index in a.path { w.append(index) }
                w.append(string: a.address)
                w.append(string: a.operationId)
                w.append(a.createdAt)
                w.append(a.createdHeight)
            }
            w.append(UInt32(v.refreshes.count))
            for r in v.refreshes { w.append(r) }
            // Only once a reshare added a node, so digests stored before reshares existed still match.
            if !v.addedParticipants.isEmpty { w.append(strings: v.addedParticipants.map(\.rawValue)) }
        }
    }

    /// The signing room: every session (sorted by request id) with its attempt, signers,
    /// commitments, outcome and blames.
    private func appendSigning(to w: inout CanonicalWriter) {
        w.append(string: "signing")
        w.append(UInt32(signing.count))
        for id in signing.keys.sorted() {
            let s = signing[id]!
            w.append(string: s.requestId)
            w.append(string: s.vault)
            w.append(s.epoch)
            w.append(lengthPrefixed: s.message)
            w.append(string: s.status.rawValue)
            w.append(s.attempt)
            w.append(strings: s.signers.map(\.rawValue))
            for signer in s.signers { w.append(lengthPrefixed: s.commitments[signer] ?? []) }
            w.append(s.startedAt)
            w.append(s.startedHeight)
            w.append(s.deadline)
            w.append(optional: s.signature)
            w.append(s.signedAt ?? 0)
            w.append(s.signedHeight ?? 0)
            w.append(optional: s.signedBy.map { Array($0.rawValue.utf8) })
            w.append(UInt32(s.blames.count))
            for b in s.blames {
                w.append(b.attempt)
                w.append(string: b.culprit.rawValue)
                w.append(b.at)
            }
            w.append(s.failure != nil)
            w.append(optional: s.presignature.map { p in
                var e = CanonicalWriter()
                e.append(p)
                return e.bytes
            })
        }
    }
}

extension CanonicalWriter {
    /// A refresh's or reshare's transcript: who dealt and confirmed what and when, the new
    /// threshold, its outcome, and who failed it (not the wording of why).
    mutating func append(_ r: VaultRefresh) {
        // A refresh is encoded as before reshares existed (its threshold is the vault's), so
        // digests stored then still match; a reshare says what it is and its new threshold.
        if r.kind == .reshare {
            append(string: r.kind.rawValue)
            append(UInt32(r.minSigners))
        }
        append(string: r.operationId)
        append(r.epoch)
        append(r.fromEpoch)
        append(strings: r.participants.map(\.rawValue))
        append(strings: r.dealers.map(\.rawValue))
        append(r.startedAt)
        append(r.startedHeight)
        append(r.deadline)
        append(string: r.status.rawValue)
        for p in r.participants {
            append(optional: r.dealings[p].map { d in
                var e = CanonicalWriter()
                e.append(lengthPrefixed: d.dealing)
                e.append(d.at)
                return e.bytes
            })
            append(optional: r.confirmations[p].map { c in
                var e = CanonicalWriter()
                e.append(lengthPrefixed: c.transcriptDigest)
                e.append(string: c.softwareVersion)
                e.append(c.at)
                return e.bytes
            })
        }
        append(optional: r.expected.map { $0.transcriptDigest + Hashes.sha256($0.publicKeyPackage) })
        append(optional: r.failure.map { f in
            var e = CanonicalWriter()
            e.append(f.at)
            e.append(strings: f.culprits.map(\.rawValue))
            e.append(strings: f.silent.map(\.rawValue))
            return e.bytes
        })
        append(r.completedAt ?? 0)
        append(r.completedHeight ?? 0)
    }

    /// A pooled presignature: batch, run, signers, batch start height and confirmed digest.
    mutating func append(_ p: PooledPresignature) {
        append(p.batch)
        append(UInt32(p.index))
        append(strings: p.signers.map(\.rawValue))
        append(p.startedHeight)
        append(lengthPrefixed: p.digest)
    }

    /// A request's approvals: status, expiry, each approval and the rejection with who and when
    /// (block time and height), and when it was decided.
    mutating func append(_ a: RequestApprovals) {
        append(string: a.status.rawValue)
        append(a.expiresAt)
        append(UInt32(a.approvals.count))
        append(a.rejection != nil)
        for d in a.approvals + (a.rejection.map { [$0] } ?? []) {
            append(string: d.user)
            append(d.at)
            append(d.height)
        }
        append(a.decidedAt ?? 0)
    }

    /// A policy decision in full: outcome, reason, the rules that applied, skipped allows,
    /// pending approvals and counted approvers, each in the order the evaluator gave them, and
    /// for a request held for approvals how long it may wait for them.
    mutating func append(_ d: PolicyDecision) {
        append(string: d.outcome.rawValue)
        append(string: ReplicatedState.describe(d.reason))
        append(UInt32(d.applied.count))
        for a in d.applied {
            append(string: a.name)
            append(string: a.effect.rawValue)
            append(optional: a.failedClosed.map { Array($0.utf8) })
        }
        append(UInt32(d.skippedAllows.count))
        for s in d.skippedAllows {
            append(string: s.name)
            append(string: s.problem)
        }
        append(UInt32(d.pending.count))
        for p in d.pending {
            append(string: p.rule)
            append(string: p.group)
            append(UInt32(clamping: p.count))
        }
        append(strings: d.countedApprovers)
        if let seconds = d.approvalExpirySeconds { append(UInt64(seconds)) }
    }
}
