import CustosCore

/// The sequencer's transitions: entries in, a proposal out; votes in, a certificate out.
extension Sequencer {
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

extension Sequencer {
    /// TEST HOOK, never for production: a second, different block at the height in flight, as a
    /// malicious gateway would send to some nodes. It is not recorded and cannot be certified by
    /// this sequencer (votes for it are flagged). Returns nil when no proposal is in flight.
    package func unsafeEquivocatingProposal(entries: [Entry]) throws(LedgerError) -> Block? {
        guard let pending = state.pending else { return nil }
        let block = try Block(height: pending.height, previousHash: pending.previousHash, timestamp: pending.timestamp, entries: entries)
        return block == pending ? nil : block
    }
}
