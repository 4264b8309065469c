import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    static let digestTag = "custos.governance.state.v21"

    /// Refusals and failures enter by their stable codes only, never by their English reasons.
    /// SHA-256 over the canonical encoding of everything governed: users (sorted by id) with
    /// roles and credentials (counters included), the policy text and version, the freeze flag,
    /// operations (sorted by id) with their lifecycle and rejections, and the latest block time;
    /// bots (sorted by id) with keys, roles, environment and activity; the members and retired keys; every
    /// vault (sorted by id); key times (bots' registration and rotation, credentials'
    /// registration and last use, members' joining), expiring grants and credential enrolments. The rooms that grow with
    /// traffic enter by their count and the head of their `WriteJournal` (every write made to
    /// them, in order): refusals, recorded requests, signing sessions, each environment's windows (each count,
    /// release and recount; expiry follows from the block time and the policy; v19), the prices and each environment's watch room (its count too, and each chain's flood set by its count and running digest); the replay cache by its
    /// bounds and size (its nonces are those of the recorded requests still inside the window).
    /// The registered assets (sorted by key) enter in full; the transactions room by its
    /// count and journal (every plan written and every nonce taken, reserved or freed, in order).
    /// The approvals room by its journal (every approval counted, at the later of its block time
    /// and its signing time, and every approval flagged, in order; request approvals also carry
    /// their review, limit and flag in the requests room);
    /// the alerts room by its count and journal (every alert raised, in order); the monitoring
    /// room by its pending and settled counts and journal (v18);
    /// the address-book entries' cooling-off in full; the offboardings in full (v16); each person's
    /// recorded onboarding steps and each credential's attestation format and certification, and the
    /// access review with a deadline when there is one (v17).
    /// So a block costs what it changed, not what the state holds. Two nodes agree on the state
    /// exactly when their digests are equal. Computed once per state: reading it again, or from
    /// an unchanged copy, costs nothing.
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
                w.append(string: c.attestationFormat)
                w.append(c.attestationCertified)
                w.append(c.attestationAnchored)
            }
        }
        w.append(string: policyYAML)
        w.append(UInt64(bitPattern: Int64(policyVersion)))
        w.append(frozen)
        w.append(frozenBy != nil)
        if let f = frozenBy {
            w.append(f.alert)
            w.append(string: f.kind.rawValue)
            w.append(string: f.requestId)
            w.append(f.height)
            w.append(f.blockTime)
        }
        w.append(UInt32(operations.count))
        for id in operations.keys.sorted() {
            let op = operations[id]!
            w.append(lengthPrefixed: op.proposal.encoded)
            w.append(string: op.status.rawValue)
            w.append(op.proposedAt)
            w.append(op.expiresAt)
            w.append(strings: op.approvals)
            w.append(strings: op.rejections)
            w.append(optional: op.rejectedBy.map { Array($0.utf8) })
            w.append(op.decidedAt ?? 0)
            w.append(op.decidedAt != nil)
            // Whether it failed, not the wording of why: wording may change between versions.
            w.append(op.failure != nil)
            w.append(op.executesAt.map { $0 &+ 1 } ?? 0)
        }
        w.append(UInt32(refusals.count))
        w.append(raw: refusalJournal.head)
        w.append(UInt32(bots.count))
        for id in bots.keys.sorted() {
            let b = bots[id]!
            w.append(string: b.id)
            w.append(b.key)
            w.append(strings: b.roles)
            w.append(string: b.environment.rawValue)
            w.append(b.active)
        }
        let replayCache = requestBook.replayCache
        w.append(UInt32(replayCache.capacity))
        w.append(UInt64(bitPattern: replayCache.latestTime))
        w.append(UInt64(bitPattern: replayCache.lastPruned))
        w.append(UInt32(replayCache.entries.count))
        w.append(UInt32(requestBook.order.count))
        w.append(raw: requestBook.journal.head)
        w.append(UInt32(members.count))
        for m in members {
            w.append(string: m.id.rawValue)
            w.append(lengthPrefixed: m.publicKeyBytes)
            w.append(lengthPrefixed: m.transportKeyBytes)
        }
        w.append(UInt32(retiredMemberKeys.count))
        for key in retiredMemberKeys.sorted(by: { $0.lexicographicallyPrecedes($1) }) { w.append(lengthPrefixed: key) }
        appendVaults(to: &w)
        w.append(UInt32(signing.count))
        w.append(raw: signing.journal.head)
        // Each environment's windows (review helper-125 H1), in the environments' order.
        for book in windows.journals {
            w.append(string: book.environment.rawValue)
            w.append(UInt32(book.held))
            w.append(raw: book.journal.head)
        }
        w.append(raw: prices.journal.head)
        // Each environment's watch room (issue 14 item 5), with each chain's flood set by its
        // count and running digest (third review H-2).
        w.append(UInt32(watches.count))
        for environment in watches.keys.sorted() {
            let watch = watches[environment]!
            w.append(string: environment.rawValue)
            w.append(UInt32(watch.count))
            w.append(raw: watch.journal.head)
            w.append(UInt32(watch.floodSets.count))
            for chain in watch.floodSets.keys.sorted() {
                let set = watch.floodSets[chain]!
                w.append(string: chain)
                w.append(UInt32(set.count))
                w.append(raw: set.digest)
            }
        }
        appendKeyTimes(to: &w)
        appendRoleExpiry(to: &w)
        appendOnboardingSteps(to: &w)
        // Only when there is one, so that the digests of states without enrolments do not change.
        if !enrolments.isEmpty { appendEnrolments(to: &w) }
        // Only when there is one, so that the digests of states without reviews do not change.
        if let review = accessReview {
            w.append(string: "access-review")
            w.append(string: review.id)
            w.append(review.openedAt)
            w.append(review.deadline)
            w.append(strings: review.grants)
            w.append(strings: review.confirmed)
            w.append(review.lapsed != nil)
            w.append(strings: review.lapsed ?? [])
        }
        w.append(string: "assets")
        w.append(UInt32(assets.count))
        for key in assets.keys.sorted() {
            let a = assets[key]!
            w.append(string: a.chain)
            w.append(a.chainId)
            w.append(string: a.symbol)
            w.append(optional: a.contract.map { Array($0.utf8) })
            w.append(a.decimals)
        }
        w.append(UInt32(transactions.count))
        w.append(raw: transactions.journal.head)
        w.append(raw: approvalBook.journal.head)
        w.append(UInt32(alerts.all.count))
        w.append(raw: alerts.journal.head)
        appendAddressBookStandings(to: &w)
        appendOffboardings(to: &w)
        // Only when there is one, so that the digests of states without restores do not change.
        if !restorations.isEmpty {
            w.append(string: "restorations")
            w.append(strings: restorations.sorted())
        }
        w.append(UInt32(monitoring.pending.count))
        w.append(UInt32(monitoring.settled.count))
        w.append(raw: monitoring.journal.head)
        return Hashes.sha256(w.bytes)
    }

    /// The cooling-off of address-book entries (sorted by name): the operation that set it, since
    /// and usable from, and any cancellation or waiver with who, by which operation and when;
    /// then the cancellations by chain and address (sorted).
    private func appendAddressBookStandings(to w: inout CanonicalWriter) {
        w.append(string: "address-book-standings")
        w.append(UInt32(addressBookStandings.count))
        for name in addressBookStandings.keys.sorted() {
            let s = addressBookStandings[name]!
            w.append(string: s.entry)
            w.append(string: s.operationId)
            w.append(s.since)
            w.append(s.usableFrom)
            for decision in [s.cancelled, s.waived] {
                w.append(decision != nil)
                guard let decision else { continue }
                w.append(string: decision.user)
                w.append(string: decision.operationId)
                w.append(decision.at)
            }
        }
        w.append(string: "cancelled-destinations")
        w.append(UInt32(cancelledDestinations.count))
        for key in cancelledDestinations.keys.sorted() {
            let d = cancelledDestinations[key]!
            w.append(string: key)
            w.append(string: d.user)
            w.append(string: d.operationId)
            w.append(d.at)
        }
        w.append(string: "cooling-destinations")
        w.append(UInt32(coolingDestinations.count))
        for key in coolingDestinations.keys.sorted() {
            w.append(string: key)
            w.append(coolingDestinations[key]!)
        }
    }

    /// Credential enrolments (sorted by id): person, code key, expiry and use.
    private func appendEnrolments(to w: inout CanonicalWriter) {
        w.append(string: "enrolments")
        w.append(UInt32(enrolments.count))
        for id in enrolments.keys.sorted() {
            let e = enrolments[id]!
            w.append(string: e.id)
            w.append(string: e.user)
            w.append(lengthPrefixed: e.codeKey)
            w.append(e.expiresAt)
            w.append(e.usedAt.map { $0 &+ 1 } ?? 0)
            w.append(optional: e.credentialId)
        }
    }

    /// Expiring grants: people (sorted by id) with each expiring role (sorted) and its lapse time.
    private func appendRoleExpiry(to w: inout CanonicalWriter) {
        w.append(string: "role-expiry")
        appendPerPerson(to: &w, \.roleExpiry, by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) { w, role, expiry in
            w.append(string: role)
            w.append(expiry)
        }
    }

    /// Recorded onboarding steps: people (sorted by id) with each step (sorted) and when it was
    /// recorded (v17).
    private func appendOnboardingSteps(to w: inout CanonicalWriter) {
        w.append(string: "onboarding")
        appendPerPerson(to: &w, \.onboardingSteps, by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) { w, step, time in
            w.append(string: step)
            w.append(time)
        }
    }

    /// People (sorted by id) for whom `map` holds anything, each with its entries sorted by key.
    private func appendPerPerson<Key: Hashable, Value>(
        to w: inout CanonicalWriter, _ map: (GovernedUser) -> [Key: Value], by precedes: (Key, Key) -> Bool,
        _ entry: (inout CanonicalWriter, Key, Value) -> Void
    ) {
        let people = users.keys.sorted().filter { !map(users[$0]!).isEmpty }
        w.append(UInt32(people.count))
        for id in people {
            let values = map(users[id]!)
            w.append(string: id)
            w.append(UInt32(values.count))
            for key in values.keys.sorted(by: precedes) { entry(&w, key, values[key]!) }
        }
    }

    /// When keys were set and credentials used: bots (sorted by id) with registration and key
    /// rotation, people (sorted by id) with their credentials' registration and last use (sorted
    /// by credential id), and members that joined after genesis (sorted by id).
    private func appendKeyTimes(to w: inout CanonicalWriter) {
        w.append(string: "key-times")
        w.append(UInt32(bots.count))
        for id in bots.keys.sorted() {
            w.append(string: id)
            w.append(bots[id]!.registeredAt)
            w.append(bots[id]!.keyRotatedAt)
        }
        appendPerPerson(to: &w, \.credentialTimes, by: { $0.lexicographicallyPrecedes($1) }) { w, credentialId, times in
            w.append(lengthPrefixed: credentialId)
            w.append(times.registeredAt)
            w.append(times.lastUsedAt.map { $0 &+ 1 } ?? 0)
        }
        w.append(UInt32(memberSince.count))
        for id in memberSince.keys.sorted() {
            w.append(string: id.rawValue)
            w.append(memberSince[id]!)
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
            w.append(optional: v.offline?.serializedBytes)
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
            w.append(strings: v.addedParticipants.map(\.rawValue))
        }
    }

    /// Every offboarding (sorted by person) in full: what they had, what was withdrawn and marked
    /// due, and the monitoring window with its destinations.
    private func appendOffboardings(to w: inout CanonicalWriter) {
        w.append(string: "offboardings")
        w.append(UInt32(offboardings.count))
        for id in offboardings.keys.sorted() {
            let o = offboardings[id]!
            w.append(string: o.user)
            w.append(string: o.operationId)
            w.append(o.at)
            w.append(o.height)
            w.append(strings: o.roles)
            w.append(strings: o.credentials)
            w.append(UInt32(o.access.count))
            for c in o.access {
                w.append(string: c.key)
                w.append(string: c.title)
                w.append(string: c.cell)
            }
            w.append(strings: o.administeredBots)
            w.append(strings: o.botsDue)
            w.append(strings: o.withdrawnRequests)
            w.append(strings: o.withdrawnOperations)
            w.append(o.monitorUntil.map { $0 &+ 1 } ?? 0)
            w.append(strings: o.monitoredDestinations)
        }
    }
}

extension CanonicalWriter {
    /// A signing session in full: attempt, signers, commitments, outcome and blames (who was
    /// blamed and when, and whether it failed, not the wording of why).
    mutating func append(_ s: SigningSession) {
        append(string: s.requestId)
        append(string: s.vault)
        append(s.epoch)
        append(lengthPrefixed: s.message)
        append(string: s.status.rawValue)
        append(s.attempt)
        append(strings: s.signers.map(\.rawValue))
        for signer in s.signers { append(lengthPrefixed: s.commitments[signer] ?? []) }
        append(s.startedAt)
        append(s.startedHeight)
        append(s.deadline)
        append(optional: s.signature)
        append(s.signedAt ?? 0)
        append(s.signedHeight ?? 0)
        append(optional: s.signedBy.map { Array($0.rawValue.utf8) })
        append(UInt32(s.blames.count))
        for b in s.blames {
            append(b.attempt)
            // No node id is empty: the offline signer's blame cannot read as a member's.
            append(string: b.culprit?.rawValue ?? "")
            append(b.at)
        }
        append(s.failure != nil)
        append(s.presignature != nil)
        if let p = s.presignature { append(p) }
        append(UInt32(s.path.count))
        for index in s.path { append(index) }
        // Only sessions of vaults with an offline share carry it: every other session encodes
        // as before.
        if let o = s.offline {
            append(string: "offline")
            append(o.answerDeadline)
            append(UInt32(o.attestations.count))
            for (node, a) in o.attestations.sorted(by: { $0.key < $1.key }) {
                append(string: node.rawValue)
                append(a.height)
                append(lengthPrefixed: a.statement)
            }
            append(o.answer != nil)
            if let a = o.answer {
                append(lengthPrefixed: a.commitments)
                append(lengthPrefixed: a.share)
                append(a.at)
                append(a.height)
            }
        }
    }

    /// A refusal: when, of what, for whom, and its stable codes (not the wording of why).
    mutating func append(_ r: ReplicatedState.Refusal) {
        append(r.blockTime)
        append(string: r.kind)
        append(optional: r.operationId.map { Array($0.utf8) })
        append(optional: r.user.map { Array($0.utf8) })
        append(string: r.error.code.description)
        append(string: r.error.webAuthn?.description ?? "")
        append(string: r.error.requestSigning?.description ?? "")
    }

    /// A decided request: who submitted it when, its nonce, body, policy version and decision.
    mutating func append(_ r: RecordedRequest) {
        append(string: r.id)
        append(string: r.initiator)
        append(string: r.initiatorKind.rawValue)
        append(r.blockTime)
        append(r.height)
        append(lengthPrefixed: r.blockHash)
        append(UInt64(bitPattern: r.timestamp))
        append(string: r.nonce)
        append(lengthPrefixed: r.body)
        append(UInt64(bitPattern: Int64(r.policyVersion)))
        append(r.decision)
        append(r.approvals != nil)
        if let approvals = r.approvals { append(approvals) }
    }

    /// A refresh's or reshare's transcript: who dealt and confirmed what and when, the new
    /// threshold, its outcome, and who failed it (not the wording of why).
    mutating func append(_ r: VaultRefresh) {
        append(string: r.kind.rawValue)
        append(UInt32(r.minSigners))
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

    /// A planned transaction: everything it holds, the failure by whether there is one.
    mutating func append(_ t: PlannedTransaction) {
        append(string: t.requestId)
        append(string: t.vault)
        append(string: t.chain)
        append(t.chainId)
        append(lengthPrefixed: t.from.rawValue)
        append(UInt32(t.path.count))
        for index in t.path { append(index) }
        append(lengthPrefixed: t.to?.rawValue ?? [])
        append(lengthPrefixed: t.value.minimalBigEndianBytes)
        append(lengthPrefixed: t.data)
        append(t.deployment != nil)
        if let d = t.deployment {
            append(lengthPrefixed: d.initCode)
            append(lengthPrefixed: d.arguments)
            append(lengthPrefixed: d.runtimeCodeHash)
            append(UInt32(d.expectedState.count))
            for call in d.expectedState {
                append(string: call.function)
                append(lengthPrefixed: call.arguments)
                append(lengthPrefixed: call.result)
            }
        }
        append(optional: t.contractAddress?.rawValue)
        append(string: t.status.rawValue)
        append(t.parameters != nil)
        if let p = t.parameters {
            append(p.chainId)
            append(p.nonce)
            append(p.gasLimit)
            append(lengthPrefixed: p.maxFeePerGas.minimalBigEndianBytes)
            append(lengthPrefixed: p.maxPriorityFeePerGas.minimalBigEndianBytes)
        }
        append(optional: t.signingHash)
        append(optional: t.rawTransaction)
        append(t.signedAt ?? 0)
        append(UInt32(t.replacedTransactions.count))
        for hash in t.replacedTransactions { append(lengthPrefixed: hash) }
        append(UInt32(t.replacedParameters.count))
        for p in t.replacedParameters {
            append(p.nonce)
            append(p.gasLimit)
            append(lengthPrefixed: p.maxFeePerGas.minimalBigEndianBytes)
            append(lengthPrefixed: p.maxPriorityFeePerGas.minimalBigEndianBytes)
        }
        append(UInt32(t.replacements))
        append(t.parametersAt ?? 0)
        append(t.parametersAt != nil)
        append(t.failure != nil)
        append(t.parametersDeadline ?? 0)
        append(t.parametersDeadline != nil)
        append(t.signatureMayExist)
        append(optional: t.cancels.map { Array($0.utf8) })
        append(t.reservedNonce ?? 0)
        append(t.reservedNonce != nil)
        append(t.simulation != nil)
        if let s = t.simulation {
            append(s.chainId)
            append(s.blockNumber)
            append(lengthPrefixed: s.blockHash)
            append(string: s.outcome.rawValue)
            append(s.gasUsed)
            append(lengthPrefixed: s.revertData)
            append(lengthPrefixed: s.intentDigest)
            append(s.simulatedAt)
            append(t.simulatedAt ?? 0)
        }
        append(t.signedAt ?? 0)
        append(t.signedAt != nil)
        append(t.receipt != nil)
        if let r = t.receipt {
            append(lengthPrefixed: r.transactionHash)
            append(r.blockNumber)
            append(lengthPrefixed: r.blockHash)
            append(r.succeeded)
            append(r.gasUsed)
            append(lengthPrefixed: r.effectiveGasPrice.minimalBigEndianBytes)
            append(lengthPrefixed: r.logsDigest)
            append(t.receiptAt ?? 0)
            append(UInt32(t.mismatches.count))
            for m in t.mismatches {
                append(string: m.code.rawValue)
                append(m.log.map { UInt64($0) + 1 } ?? 0)
            }
            append(UInt32(t.receiptChecks.count))
            for c in t.receiptChecks {
                append(string: c.member)
                append(c.digest != nil)
                append(lengthPrefixed: c.digest ?? [])
                append(c.agrees)
                append(c.height)
            }
            append(string: t.receiptVerdict?.rawValue ?? "")
        }
        append(UInt32(t.deploymentChecks.count))
        for c in t.deploymentChecks {
            append(string: c.member)
            append(lengthPrefixed: c.codeHash)
            append(UInt32(c.results.count))
            for r in c.results { append(optional: r) }
            append(strings: c.differences.map(\.code.rawValue))
            append(c.height)
        }
        append(string: t.deploymentVerdict?.rawValue ?? "")
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
            append(d.reviewMillis != nil)
            append(d.reviewMillis ?? 0)
            append(d.beyondLimit)
            append(string: d.flagged?.rawValue ?? "")
        }
        append(a.decidedAt ?? 0)
    }

    /// A policy decision in full: outcome, reason, the rules that applied, skipped allows,
    /// pending approvals, every way each unmet rule may be met (v16) and counted approvers, each
    /// in the order the evaluator gave them, and
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
        append(UInt32(d.requirements.count))
        for r in d.requirements {
            append(string: r.rule)
            append(UInt32(r.alternatives.count))
            for terms in r.alternatives {
                append(UInt32(terms.count))
                for t in terms {
                    append(string: t.group)
                    append(UInt32(clamping: t.count))
                }
            }
        }
        append(strings: d.countedApprovers)
        if let seconds = d.approvalExpirySeconds { append(UInt64(seconds)) }
        append(UInt32(d.windows.count))
        for f in d.windows {
            append(string: f.limit)
            append(string: f.key)
            append(string: f.usd?.description ?? "")
            append(UInt64(f.count))
            append(f.holds)
        }
        append(string: d.price.map { "\($0.asset) \($0.usd.description) \($0.sources)" } ?? "")
        append(strings: d.warnings.map { $0.kind.rawValue + ($0.resembles.map { " " + $0 } ?? "") })
    }
}
