import CustosLedger
import CustosNode
import CustosState
import Foundation

extension LogFollower {
    /// Records the proof that the gateway proposed two blocks in one round at one height (the
    /// conflicting block and this node's recorded vote in that round) and halts signing until an operator
    /// acknowledges it (`custos node resume --acknowledge-equivocation`). Votes go on.
    func haltSigning(_ alert: EquivocationAlert, conflicting block: Block) throws {
        guard let halt else { return }
        let vote = try votes.votes(at: alert.height).first { $0.round == alert.round }?.vote ?? []
        let evidence = try JSONEncoder().encode([
            "conflictingBlock": Data(block.serialized).base64EncodedString(),
            "recordedVote": Data(vote).base64EncodedString(),
        ])
        try halt.halt(SigningHaltRecord(cause: .gatewayEquivocation, height: consensus.head.height,
                                        since: UInt64(Date().timeIntervalSince1970 * 1000), reason: alert.description,
                                        evidence: Array(evidence)))
    }
}

extension LogFollower {
    /// Tells the signing halt the newly committed state at `height`, and when the unfreezes its
    /// block executed were proposed (one proposed after a local freeze made below that height
    /// lifts it): those its entries executed, and time-locked ones whose wait ended at its time.
    func tellHalt(_ state: ReplicatedState, height: UInt64, outcomes: [GovernanceOutcome]) throws {
        guard let halt else { return }
        var unfreezes: [UInt64] = outcomes.compactMap { outcome in
            guard case let .applied(id, .executed) = outcome, let op = state.operations[id], op.proposal.change == .unfreeze else { return nil }
            return op.proposedAt
        }
        unfreezes += state.operations.values.filter {
            $0.proposal.change == .unfreeze && $0.status == .executed && $0.executesAt != nil && $0.decidedAt == state.time
        }.map(\.proposedAt)
        try halt.committed(state, height: height, unfreezesProposedAt: unfreezes)
    }
}
