
/// What became of one vote received by the sequencer.
public enum VoteOutcome: Sendable, Hashable {
    /// A valid vote for the proposal in flight; `count` of `quorum` votes so far.
    case recorded(count: Int, quorum: Int)
    /// The vote completed a certificate: persist the certified block as committed (the state
    /// has advanced and cleared the proposal), then broadcast it.
    case certified(CertifiedBlock)
    /// Not counted, nothing wrong with the voter: a stale height, a repeated vote, no proposal in
    /// flight.
    case ignored(reason: String)
    /// Not counted, and the voter is to blame: not a member, a bad signature, or a signed vote for
    /// a block this gateway never proposed at that height (a double vote).
    case flagged(voter: NodeID, error: LedgerError)
}
