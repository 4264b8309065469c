/// The node's transitions: proposals in, votes or refusals or alerts out; certified blocks in,
/// blocks to apply out.
extension NodeConsensus {
    /// Decides on a proposal received at `now` (milliseconds since the Unix epoch, this node's
    /// clock). Votes only if all rules hold (see "Rounds"); re-sends the same vote for the same
    /// block in the same round; refuses and alerts when asked to vote for a different block in a
    /// round it already voted in.
    public mutating func receiveProposal(
        _ proposal: Proposal, now: UInt64, validator: inout some EntryValidator
    ) -> ProposalAction {
        let block = proposal.block, round = proposal.round
        let head = safetyState.head
        if block.height <= head.height {
            return .refuse(.alreadyCommitted(height: block.height, committedHeight: head.height))
        }
        guard block.height == head.height + 1 else {
            return .refuse(.notNext(height: block.height, expected: head.height + 1))
        }
        guard isVoter else { return .refuse(.notAMember(height: block.height)) }
        if let voted = safetyState.lastVote, voted.height > block.height {
            // Voted beyond the committed head + 1: only possible with a corrupted state; never vote lower.
            return .refuse(.alreadyCommitted(height: block.height, committedHeight: voted.height))
        }
        let votes = safetyState.votes(at: block.height)
        if let voted = votes.first(where: { $0.round == round }) {
            guard voted.blockHash == block.hash else {
                return .alertEquivocation(EquivocationAlert(height: block.height, round: round, votedHash: voted.blockHash,
                                                            conflictingHash: block.hash))
            }
            // The same block again: the same vote may be sent again (it is already persisted).
            return .persistVoteThenSend(Vote(signing: block, round: round, genesisDigest: configuration.genesisDigest, identity: identity))
        }
        if let abandoned = safetyState.abandonedRound(at: block.height), abandoned >= round {
            return .refuse(.roundAbandoned(height: block.height, round: round, abandoned: abandoned))
        }
        if let latest = votes.last, latest.round > round {
            return .refuse(.staleRound(height: block.height, round: round, voted: latest.round))
        }
        guard block.previousHash == head.hash else {
            return .refuse(.wrongPreviousHash(expected: head.hash, got: block.previousHash))
        }
        var mayBeFinal = false
        if round > 0 {
            let justified = justification(of: proposal)
            if let refusal = justified.refusal { return .refuse(refusal) }
            mayBeFinal = justified.mayBeFinal
        }
        if !votes.contains(where: { $0.blockHash == block.hash }), Set(votes.map(\.blockHash)).count >= RoundChange.maximumVotedBlocks {
            return .refuse(.tooManyBlocks(height: block.height))
        }
        if block.timestamp > now, block.timestamp - now > maximumClockSkew {
            return .refuse(.timestampAhead(block: block.timestamp, clock: now, maximumSkew: maximumClockSkew))
        }
        // A block that might already be certified is the only one the height can still commit:
        // its age is no reason to refuse it.
        if !mayBeFinal, now > block.timestamp, now - block.timestamp > maximumBlockAge {
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
        safetyState.record(.init(height: block.height, round: round, blockHash: block.hash))
        return .persistVoteThenSend(Vote(signing: block, round: round, genesisDigest: configuration.genesisDigest, identity: identity))
    }

    /// Whether a later-round proposal carries a certificate for the round before it, at its
    /// height over this node's head, that verifies and allows its block (else the refusal); if
    /// so, whether the block might already be certified (the certificate allows only it).
    private func justification(of proposal: Proposal) -> (mayBeFinal: Bool, refusal: ProposalRefusal?) {
        let block = proposal.block, round = proposal.round
        func refuse(_ reason: String) -> (mayBeFinal: Bool, refusal: ProposalRefusal?) {
            (false, .unjustified(height: block.height, round: round, reason: reason))
        }
        guard let certificate = proposal.justification else { return refuse("no round-change certificate") }
        guard certificate.height == block.height, certificate.round == round - 1, certificate.previousHash == safetyState.head.hash else {
            return refuse("the certificate is for height \(certificate.height) round \(certificate.round) over \(certificate.previousHash.short)")
        }
        do { try certificate.verify(in: configuration) } catch { return refuse("\(error)") }
        switch certificate.allowedBlock(in: configuration) {
        case .anyBlock: return (false, nil)
        case let .only(hash) where hash == block.hash: return (true, nil)
        case let .only(hash): return refuse("only \(hash.short) may be proposed")
        case .nothing: return refuse("more than one block may have been certified")
        }
    }

    /// Decides on a round-0 proposal (see `receiveProposal(_:now:validator:)`).
    public mutating func receiveProposal(_ block: Block, now: UInt64, validator: inout some EntryValidator) -> ProposalAction {
        receiveProposal(Proposal(block: block), now: now, validator: &validator)
    }

    /// Gives up `round` at the height above the committed head: from now on this node votes in
    /// no round up to it there. The caller persists `safetyState` before it sends the returned
    /// round change, which lists every block this node voted for at that height and the blocks
    /// `alsoListing` names (a restored node's listing, `RestorationFloor.listing`). Nil for a
    /// node that is not a voting member.
    public mutating func abandon(round: UInt32, alsoListing: [LedgerHash] = []) -> RoundChange? {
        guard isVoter else { return nil }
        let height = safetyState.head.height + 1
        let highest = max(round, safetyState.abandonedRound(at: height) ?? 0)
        safetyState.roundChange = .init(height: height, round: highest)
        return RoundChange(signing: height, round: round, previousHash: safetyState.head.hash,
                           votedBlocks: safetyState.votes(at: height).map(\.blockHash) + alsoListing,
                           genesisDigest: configuration.genesisDigest, identity: identity)
    }

    /// Convenience for validators that need no mutation.
    public mutating func receiveProposal(_ block: Block, now: UInt64, validator: some EntryValidator) -> ProposalAction {
        var v = validator
        return receiveProposal(Proposal(block: block), now: now, validator: &v)
    }

    public mutating func receiveProposal(_ proposal: Proposal, now: UInt64, validator: some EntryValidator) -> ProposalAction {
        var v = validator
        return receiveProposal(proposal, now: now, validator: &v)
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
    /// in the certified block's round at its height, so the gateway proposed two blocks in that
    /// round. (Another block voted for in another round is no evidence: that round was given up.)
    /// The certified block is still the one to apply (`commit`); the caller raises the alert.
    /// Nil otherwise.
    public func equivocationEvidence(_ certified: CertifiedBlock) -> EquivocationAlert? {
        let round = certified.certificate.round
        guard let voted = safetyState.votes(at: certified.block.height).first(where: { $0.round == round }),
            voted.blockHash != certified.block.hash
        else { return nil }
        return EquivocationAlert(height: voted.height, round: round, votedHash: voted.blockHash, conflictingHash: certified.block.hash)
    }
}
