import CustosCore

/// The sequencer's transitions: entries in, a proposal out; votes in, a certificate out; round
/// changes in, a proposal in the next round out.
extension Sequencer {
    /// Proposes the next block with `entries` at `now` (the gateway's clock, in milliseconds;
    /// never before the previous block's time). If a proposal is already in flight, returns it
    /// for re-sending instead: at most one block per round. Throws only for limits.
    public mutating func propose(entries: [Entry], now: UInt64) throws(LedgerError) -> SequencerAction {
        if let pending = state.pending { return .resend(pending) }
        let block = try Block(height: state.head.height + 1, previousHash: state.head.hash,
                              timestamp: max(now, state.head.timestamp), entries: entries)
        state.pending = block
        state.round = 0
        state.justification = nil
        votes = [:]
        roundChanges = [:]
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
        guard vote.round >= state.round else {
            return .ignored(reason: "\(vote) is for round \(vote.round), given up; round \(state.round) is in flight")
        }
        do { try vote.verify(in: configuration) } catch {
            return .flagged(voter: vote.voter, error: error)
        }
        guard vote.round == state.round, vote.blockHash == pending.hash, vote.previousHash == pending.previousHash else {
            return .flagged(voter: vote.voter, error: LedgerError(
                .mismatchedVote, "\(vote.voter) signed \(vote.blockHash.short) at height \(vote.height) round \(vote.round), which this gateway never proposed",
                culprit: vote.voter))
        }
        guard votes[vote.voter] == nil else {
            return .ignored(reason: "\(vote.voter) already voted for \(pending.hash.short)")
        }
        votes[vote.voter] = vote
        guard votes.count >= configuration.quorum else {
            return .recorded(count: votes.count, quorum: configuration.quorum)
        }
        let certificate = QuorumCertificate(height: pending.height, round: state.round, blockHash: pending.hash,
                                            previousHash: pending.previousHash, votes: Array(votes.values))
        state.head = ChainHead(height: pending.height, hash: pending.hash, timestamp: pending.timestamp)
        state.pending = nil
        state.round = 0
        state.justification = nil
        votes = [:]
        roundChanges = [:]
        return .certified(CertifiedBlock(block: pending, certificate: certificate))
    }

    /// Counts a round change for the round in flight. Once they justify a proposal in the next
    /// round, makes it (at `now`, the gateway's clock in milliseconds) and returns it, to be
    /// persisted before it is sent: the block in flight again if it might have been certified, a
    /// fresh block with the same entries if nothing might have been. While the round changes
    /// gathered allow nothing this sequencer can propose (another block, or two), it waits for
    /// more: each further one can only rule blocks out.
    public mutating func receive(_ change: RoundChange, now: UInt64) throws(LedgerError) -> RoundChangeOutcome {
        guard let pending = state.pending else {
            return .ignored(reason: "no proposal in flight (\(change) for a committed or unknown height)")
        }
        guard change.height == pending.height, change.round == state.round, change.previousHash == pending.previousHash else {
            return .ignored(reason: "\(change) is not for height \(pending.height) round \(state.round) in flight")
        }
        do { try change.verify(in: configuration) } catch {
            return .flagged(voter: change.voter, error: error)
        }
        guard roundChanges[change.voter] != change else { return .ignored(reason: "\(change.voter) already gave up round \(state.round)") }
        roundChanges[change.voter] = change
        guard roundChanges.count >= configuration.quorum else {
            return .recorded(count: roundChanges.count, quorum: configuration.quorum)
        }
        let certificate = RoundChangeCertificate(height: pending.height, round: state.round, previousHash: pending.previousHash,
                                                 changes: Array(roundChanges.values))
        let next: Block
        switch certificate.allowedBlock(in: configuration) {
        case .anyBlock:
            next = try Block(height: pending.height, previousHash: pending.previousHash, timestamp: max(now, state.head.timestamp),
                             entries: pending.entries)
        case .only(pending.hash):
            next = pending
        case .only, .nothing:
            return .recorded(count: roundChanges.count, quorum: configuration.quorum)
        }
        state.pending = next
        state.round += 1
        state.justification = certificate
        votes = [:]
        roundChanges = [:]
        return .proposed(Proposal(block: next, round: state.round, justification: certificate))
    }
}

extension Sequencer {
    /// TEST HOOK, never for production: a second, different block in the round in flight, as a
    /// malicious gateway would send to some nodes. It is not recorded and cannot be certified by
    /// this sequencer (votes for it are flagged). Returns nil when no proposal is in flight.
    package func unsafeEquivocatingProposal(entries: [Entry]) throws(LedgerError) -> Block? {
        guard let pending = state.pending else { return nil }
        let block = try Block(height: pending.height, previousHash: pending.previousHash, timestamp: pending.timestamp, entries: entries)
        return block == pending ? nil : block
    }
}
