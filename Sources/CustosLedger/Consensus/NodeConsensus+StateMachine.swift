/// The node's transitions: proposals in, votes or refusals or alerts out; certified blocks in,
/// blocks to apply out.
extension NodeConsensus {
    /// Decides on a proposal received at `now` (milliseconds since the Unix epoch, this node's
    /// clock). Votes only if all rules hold; re-sends the same vote for the same block; refuses
    /// and alerts when asked to vote for a different block at a height it already voted on.
    public mutating func receiveProposal(
        _ block: Block, now: UInt64, validator: inout some EntryValidator
    ) -> ProposalAction {
        let head = safetyState.head
        if block.height <= head.height {
            return .refuse(.alreadyCommitted(height: block.height, committedHeight: head.height))
        }
        guard block.height == head.height + 1 else {
            return .refuse(.notNext(height: block.height, expected: head.height + 1))
        }
        guard isVoter else { return .refuse(.notAMember(height: block.height)) }
        if let voted = safetyState.lastVote, voted.height == block.height {
            guard voted.blockHash == block.hash else {
                return .alertEquivocation(EquivocationAlert(height: block.height, votedHash: voted.blockHash, conflictingHash: block.hash))
            }
            // The same block again: the same vote may be sent again (it is already persisted).
            return .persistVoteThenSend(Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: identity))
        }
        if let voted = safetyState.lastVote, voted.height > block.height {
            // Voted beyond the committed head + 1: only possible with a corrupted state; never vote lower.
            return .refuse(.alreadyCommitted(height: block.height, committedHeight: voted.height))
        }
        guard block.previousHash == head.hash else {
            return .refuse(.wrongPreviousHash(expected: head.hash, got: block.previousHash))
        }
        if block.timestamp > now, block.timestamp - now > maximumClockSkew {
            return .refuse(.timestampAhead(block: block.timestamp, clock: now, maximumSkew: maximumClockSkew))
        }
        if now > block.timestamp, now - block.timestamp > maximumBlockAge {
            return .refuse(.timestampBehind(block: block.timestamp, clock: now, maximumSkew: maximumBlockAge))
        }
        guard block.timestamp >= head.timestamp else {
            return .refuse(.timestampBeforePrevious(block: block.timestamp, previous: head.timestamp))
        }
        for (index, entry) in block.entries.enumerated() {
            if case let .reject(reason) = validator.validate(entry, at: index, in: block) {
                return .refuse(.entryRejected(index: index, kind: entry.kind, reason: reason))
            }
        }
        safetyState.lastVote = .init(height: block.height, blockHash: block.hash)
        return .persistVoteThenSend(Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: identity))
    }

    /// Convenience for validators that need no mutation.
    public mutating func receiveProposal(_ block: Block, now: UInt64, validator: some EntryValidator) -> ProposalAction {
        var v = validator
        return receiveProposal(block, now: now, validator: &v)
    }

    /// Applies a certified block if it is the next block of the committed chain. A certificate
    /// outranks this node's own vote: if it voted for another block at this height, that block
    /// failed to get a quorum and the certified one is applied.
    public mutating func commit(_ certified: CertifiedBlock) -> CommitAction {
        switch safetyState.head.extended(by: certified, in: configuration) {
        case let .failure(refusal):
            return .refuse(refusal)
        case let .success(newHead):
            safetyState.head = newHead
            return .apply(certified.block)
        }
    }

    public mutating func commit(_ block: Block, certificate: QuorumCertificate) -> CommitAction {
        commit(CertifiedBlock(block: block, certificate: certificate))
    }

    /// Verifies a run of certified blocks fetched from the gateway after downtime: each must be
    /// the next block, chained and certified. All or nothing: on the first failure nothing is
    /// applied and the failing height is named. Blocks at or below the committed height at the
    /// front of the run are skipped only if they are exactly the committed head (overlap).
    public mutating func catchUp(_ chain: [CertifiedBlock]) -> CatchUpAction {
        var head = safetyState.head
        var blocks: [Block] = []
        blocks.reserveCapacity(chain.count)
        for certified in chain {
            if blocks.isEmpty, certified.block.height == head.height, certified.block.hash == head.hash { continue }
            switch head.extended(by: certified, in: configuration) {
            case let .failure(refusal):
                return .refuse(height: certified.block.height, reason: refusal)
            case let .success(next):
                head = next
                blocks.append(certified.block)
            }
        }
        safetyState.head = head
        return .apply(blocks)
    }
}

extension NodeConsensus {
    /// Evidence of gateway equivocation found at commit time: this node voted for another block
    /// at the certified block's height, so the gateway proposed two blocks there. The certified
    /// block is still the one to apply (`commit`); the caller raises the alert. Nil otherwise.
    public func equivocationEvidence(_ certified: CertifiedBlock) -> EquivocationAlert? {
        guard let voted = safetyState.lastVote, voted.height == certified.block.height,
            voted.blockHash != certified.block.hash
        else { return nil }
        return EquivocationAlert(height: voted.height, votedHash: voted.blockHash, conflictingHash: certified.block.hash)
    }
}
