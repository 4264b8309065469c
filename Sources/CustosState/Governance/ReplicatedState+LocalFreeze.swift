import CustosCore
import CustosIdentity
import CustosPolicy

extension ReplicatedState {
    /// Checks a local freeze of node `node` against this committed state, when it is first taken
    /// at `now` (ms since the Unix epoch, the checking host's clock): made for this cluster and
    /// this node, no more than `LocalFreeze.maximumAge` before `now` (nor more than
    /// `maximumClockSkew` after), with a nonce, by an active person whose credential's assertion
    /// verifies over the challenge, and whom the policy's governance rules let freeze alone (the
    /// role they name for freezing). Throws the reason otherwise. Changes nothing (the
    /// credential's counter is the log's to keep), and does not compare counters: the officer's
    /// later assertions in the log move the counter past the freeze's. Once taken, a node keeps
    /// the freeze as verified and never checks it again, so only the quorum's unfreeze lifts it.
    public func verify(_ freeze: LocalFreeze, node: String, now: UInt64) throws(GovernanceError) {
        guard freeze.node == node else {
            throw GovernanceError(.notPermitted, "the freeze was made for node \(freeze.node.printable(limit: 64)), not \(node)")
        }
        guard freeze.issuedAt <= now + LocalFreeze.maximumClockSkew, now <= freeze.issuedAt + LocalFreeze.maximumAge else {
            throw GovernanceError(.expired, "the freeze was made at \(freeze.issuedAt) ms, not within \(LocalFreeze.maximumAge / 1000) s of \(now) ms")
        }
        guard LocalFreeze.nonceLengths.contains(freeze.nonce.count) else {
            throw GovernanceError(.malformed, "a freeze carries a nonce of 16 to 64 bytes")
        }
        guard let person = users[freeze.user] else {
            throw GovernanceError(.unknownUser, "\(freeze.user.printable(limit: 64)) is not a member of the cluster")
        }
        guard person.active else { throw GovernanceError(.inactiveUser, "\(freeze.user) has been removed") }
        var uncounted = person
        for i in uncounted.credentials.indices { uncounted.credentials[i].signCount = 0 }
        _ = try uncounted.verify(freeze.assertion,
                              challenge: freeze.digest(genesisDigest: genesisDigest),
                              relyingParty: relyingParty, requireUserVerification: requireUserVerification)
        let request = PolicyRequest(id: "local-freeze", kind: .governance, initiator: freeze.user,
                                    operation: GovernanceOperation(.freeze), approvals: [])
        let decision = policy.evaluate(request, in: snapshot)
        guard decision.outcome == .allow else {
            throw GovernanceError(.notPermitted, "\(freeze.user) may not freeze alone: \(Self.describe(decision.reason))")
        }
    }
}
