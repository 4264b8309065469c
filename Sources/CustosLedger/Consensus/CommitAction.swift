/// What a node does with a certified block.
public enum CommitAction: Sendable, Hashable {
    /// Apply the block to the replicated state and persist it together with
    /// `NodeConsensus.safetyState` in one transaction.
    case apply(Block)
    case refuse(CommitRefusal)
}
