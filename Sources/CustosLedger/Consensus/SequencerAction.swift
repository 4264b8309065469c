/// What the gateway does to get a block voted on.
public enum SequencerAction: Sendable, Hashable {
    /// Persist `Sequencer.state` (which now holds this proposal), then send the block to every node.
    case persistProposalThenSend(Block)
    /// Send the stored proposal again (after a restart, or when asked to propose while one is
    /// in flight). Never a new block at that height.
    case resend(Block)
}
