import CustosCrypto
import CustosIdentity
import CustosLedger

extension GovernanceState {
    static let digestTag = "custos.governance.state.v1"

    /// Refusals and failures enter by their stable codes only, never by their English reasons.
    /// SHA-256 over the canonical encoding of everything governed: users (sorted by id) with
    /// roles and credentials (counters included), the policy text and version, the freeze flag,
    /// operations (sorted by id) with their lifecycle, the refusals and the latest block time.
    /// Two nodes agree on the state exactly when their digests are equal.
    public var digest: [UInt8] {
        var w = GovernanceWriter(tag: Self.digestTag)
        w.append(clusterName)
        w.append(genesisDigest)
        w.append(time)
        w.append(UInt32(users.count))
        for id in users.keys.sorted() {
            let u = users[id]!
            w.append(u.id)
            w.append(u.roles)
            w.append(u.active)
            w.append(UInt32(u.credentials.count))
            for c in u.credentials {
                w.append(c.credentialId)
                w.append(c.publicKey)
                w.append(c.signCount)
                w.append(c.aaguid)
                w.append(c.userVerified)
                w.append(c.backupEligible)
                w.append(c.backedUp)
                w.append(c.isSoftware)
            }
        }
        w.append(policyYAML)
        w.append(UInt64(bitPattern: Int64(policyVersion)))
        w.append(frozen)
        w.append(UInt32(operations.count))
        for id in operations.keys.sorted() {
            let op = operations[id]!
            w.append(op.proposal.encoded)
            w.append(op.status.rawValue)
            w.append(op.proposedAt)
            w.append(op.expiresAt)
            w.append(op.approvals)
            w.append(optional: op.rejectedBy.map { Array($0.utf8) })
            w.append(optional: op.decidedAt.map { t in (0..<8).map { UInt8(truncatingIfNeeded: t >> (56 - 8 * UInt64($0))) } })
            // Whether it failed, not the wording of why: wording may change between versions.
            w.append(op.failure != nil)
        }
        w.append(UInt32(refusals.count))
        for r in refusals {
            w.append(r.blockTime)
            w.append(r.kind)
            w.append(optional: r.operationId.map { Array($0.utf8) })
            w.append(optional: r.user.map { Array($0.utf8) })
            w.append(r.error.code.description)
            w.append(r.error.webAuthn?.description ?? "")
        }
        w.append(UInt32(members.count))
        for m in members {
            w.append(m.id.rawValue)
            w.append(m.publicKeyBytes)
        }
        w.append(UInt32(retiredMemberKeys.count))
        for key in retiredMemberKeys.sorted(by: { $0.lexicographicallyPrecedes($1) }) { w.append(key) }
        return Hashes.sha256(w.bytes)
    }
}
