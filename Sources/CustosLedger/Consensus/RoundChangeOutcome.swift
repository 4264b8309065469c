/// What became of one round change received by the sequencer.
public enum RoundChangeOutcome: Sendable, Hashable {
    /// A valid round change for the round in flight; `count` of `quorum` so far, not yet
    /// justifying a proposal this sequencer can make.
    case recorded(count: Int, quorum: Int)
    /// The round changes justified this proposal in the next round: persist `Sequencer.state`
    /// (which now holds it), then send it.
    case proposed(Proposal)
    /// Not counted, nothing wrong with the voter: another height or round, a repeat.
    case ignored(reason: String)
    /// Not counted, and the voter is to blame: not a member, or a bad signature.
    case flagged(voter: NodeID, error: LedgerError)
}
