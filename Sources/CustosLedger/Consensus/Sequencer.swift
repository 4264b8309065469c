/// The gateway's sequencer as a pure state machine: it proposes at most one block per height,
/// persists the proposal before sending it, gathers votes until q distinct valid ones form a
/// certificate, and names voters whose votes are invalid. The gateway is trusted for liveness
/// only; safety does not depend on this code being honest (the nodes' rules do not trust it).
public struct Sequencer: Sendable {
    public let configuration: ClusterConfiguration
    public private(set) var state: SequencerState
    /// Valid votes for the proposal in flight, by voter. Not durable: nodes re-send on request.
    public private(set) var votes: [NodeID: Vote] = [:]

    /// Rebuilds the sequencer from its persisted state (`SequencerState.genesis` at first start).
    public init(configuration: ClusterConfiguration, state: SequencerState) throws(LedgerError) {
        guard state.genesisDigest == configuration.genesisDigest else {
            throw LedgerError(.invalidConfiguration, "the sequencer state belongs to genesis \(state.genesisDigest.short), not \(configuration.genesisDigest.short)")
        }
        if let pending = state.pending {
            guard pending.height == state.head.height + 1, pending.previousHash == state.head.hash else {
                throw LedgerError(.brokenChain, "stored proposal \(pending.height) does not extend the stored head \(state.head)")
            }
        }
        self.configuration = configuration
        self.state = state
    }

    public var head: ChainHead { state.head }
    public var pending: Block? { state.pending }

    /// After a restart: the stored proposal to send again, if one is in flight.
    public func resume() -> SequencerAction? { state.pending.map { .resend($0) } }

    /// Proposes the next block with `entries` at `now` (the gateway's clock, in milliseconds;
    /// never before the previous block's time). If a proposal is already in flight, returns it
    /// for re-sending instead: at most one block per height. Throws only for limits.
    public mutating func propose(entries: [Entry], now: UInt64) throws(LedgerError) -> SequencerAction {
        if let pending = state.pending { return .resend(pending) }
        let block = try Block(height: state.head.height + 1, previousHash: state.head.hash,
                              timestamp: max(now, state.head.timestamp), entries: entries)
        state.pending = block
        votes = [:]
        return .persistProposalThenSend(block)
    }

    /// Counts a vote for the proposal in flight.
    public mutating func receive(_ vote: Vote) -> VoteOutcome {
        guard let pending = state.pending else {
            return .ignored(reason: "no proposal in flight (\(vote) for a committed or unknown height)")
        }
        guard vote.height == pending.height else {
            return .ignored(reason: "\(vote) is not for the height in flight \(pending.height)")
        }
        do { try vote.verify(in: configuration) } catch {
            return .flagged(voter: vote.voter, error: error)
        }
        guard vote.blockHash == pending.hash, vote.previousHash == pending.previousHash else {
            return .flagged(voter: vote.voter, error: LedgerError(
                .mismatchedVote, "\(vote.voter) signed \(vote.blockHash.short) at height \(vote.height), which this gateway never proposed",
                culprit: vote.voter))
        }
        guard votes[vote.voter] == nil else {
            return .ignored(reason: "\(vote.voter) already voted for \(pending.hash.short)")
        }
        votes[vote.voter] = vote
        guard votes.count >= configuration.quorum else {
            return .recorded(count: votes.count, quorum: configuration.quorum)
        }
        let certificate = QuorumCertificate(height: pending.height, blockHash: pending.hash,
                                            previousHash: pending.previousHash, votes: Array(votes.values))
        state.head = ChainHead(height: pending.height, hash: pending.hash, timestamp: pending.timestamp)
        state.pending = nil
        votes = [:]
        return .certified(CertifiedBlock(block: pending, certificate: certificate))
    }
}
