import CustosCore
import CustosIdentity
import CustosPolicy

extension ReplicatedState {
    /// Checks a local freeze of node `node` against this committed state: made for this
    /// cluster and this node, by an active person whose credential's assertion verifies over
    /// the challenge, and whom the policy's governance rules let freeze alone (the role they
    /// name for freezing). Throws the reason otherwise. Changes nothing (the credential's counter
    /// is the log's to keep), and does not compare counters: the node checks the freeze again at
    /// every start, and the officer's later assertions in the log (approving the freeze there,
    /// say) move the counter past the freeze's, which must not lift it.
    public func verify(_ freeze: LocalFreeze, node: String) throws(GovernanceError) {
        guard freeze.node == node else {
            throw GovernanceError(.notPermitted, "the freeze was made for node \(freeze.node.printable(limit: 64)), not \(node)")
        }
        guard let person = users[freeze.user] else {
            throw GovernanceError(.unknownUser, "\(freeze.user.printable(limit: 64)) is not a member of the cluster")
        }
        guard person.active else { throw GovernanceError(.inactiveUser, "\(freeze.user) has been removed") }
        var uncounted = person
        for i in uncounted.credentials.indices { uncounted.credentials[i].signCount = 0 }
        _ = try uncounted.verify(freeze.assertion,
                              challenge: LocalFreeze.challenge(genesisDigest: genesisDigest, node: node, issuedAt: freeze.issuedAt),
                              relyingParty: relyingParty, requireUserVerification: requireUserVerification)
        let request = PolicyRequest(id: "local-freeze", kind: .governance, initiator: freeze.user,
                                    operation: GovernanceOperation(.freeze), approvals: [])
        let decision = policy.evaluate(request, in: snapshot)
        guard decision.outcome == .allow else {
            throw GovernanceError(.notPermitted, "\(freeze.user) may not freeze alone: \(Self.describe(decision.reason))")
        }
    }
}
