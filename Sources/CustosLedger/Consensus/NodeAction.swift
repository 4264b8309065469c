/// What a node does with a proposal.
public enum ProposalAction: Sendable, Hashable {
    /// Persist `NodeConsensus.safetyState` (which already records this vote) durably, then send
    /// the vote. Sending before the write commits could let a crash produce two votes at one height.
    case persistVoteThenSend(Vote)
    /// Do not vote; say why.
    case refuse(ProposalRefusal)
    /// The gateway proposed a second block at a height this node already voted on: refuse and
    /// raise the alert.
    case alertEquivocation(EquivocationAlert)
}

/// What a node does with a certified block.
public enum CommitAction: Sendable, Hashable {
    /// Apply the block to the replicated state and persist it together with
    /// `NodeConsensus.safetyState` in one transaction.
    case apply(Block)
    case refuse(CommitRefusal)
}

/// What a node does with a sequence of certified blocks fetched to catch up.
public enum CatchUpAction: Sendable, Hashable {
    /// Apply these blocks in order (each persisted with the safety state, as for a commit).
    case apply([Block])
    /// Nothing was applied: the block at `height` failed, for `reason`.
    case refuse(height: UInt64, reason: CommitRefusal)
}
