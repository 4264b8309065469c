/// What a node does with a proposal.
public enum ProposalAction: Sendable, Hashable {
    /// Persist `NodeConsensus.safetyState` (which already records this vote) durably, then send
    /// the vote. Sending before the write commits could let a crash produce two votes in one round.
    case persistVoteThenSend(Vote)
    /// Do not vote; say why.
    case refuse(ProposalRefusal)
    /// The gateway proposed a second block in a round this node already voted in: refuse and
    /// raise the alert.
    case alertEquivocation(EquivocationAlert)
}
