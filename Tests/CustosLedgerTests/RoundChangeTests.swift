import CustosCore
import CustosLedger
import Testing

/// Rounds at one height (`NodeConsensus`, "Rounds"): round changes, their certificates and what
/// they allow, and the node's rules, each tried as a gateway that wants two blocks certified or
/// a height stuck would try.
@Suite("Rounds: round changes and re-proposals")
struct RoundChangeTests {
    static let now = TestCluster.genesisTime + 1000
    let cluster = TestCluster(n: 4)

    func change(_ i: Int, round: UInt32 = 0, voted: [Block] = [], height: UInt64 = 1, previous: LedgerHash? = nil) -> RoundChange {
        RoundChange(signing: height, round: round, previousHash: previous ?? cluster.genesis.hash, votedBlocks: voted.map(\.hash),
                    genesisDigest: cluster.configuration.genesisDigest, identity: cluster.identities[i])
    }

    func certificate(round: UInt32 = 0, _ changes: [RoundChange]) -> RoundChangeCertificate {
        RoundChangeCertificate(height: 1, round: round, previousHash: cluster.genesis.hash, changes: changes)
    }

    func block(_ tag: String, timestamp: UInt64? = nil) -> Block {
        cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry(tag)], timestamp: timestamp)
    }

    @Test("A certificate rules a block out only when too few signers list it for it to have been certified")
    func allowedBlocks() {
        let p = block("p"), q = block("q"), r = block("r")
        let c = cluster.configuration
        // n = 4, f = 1, q = 3: with four signers a block listed once is out, listed twice it may be certified.
        #expect(certificate([change(0), change(1), change(2), change(3)]).allowedBlock(in: c) == .anyBlock)
        #expect(certificate([change(0, voted: [p]), change(1), change(2), change(3)]).allowedBlock(in: c) == .anyBlock)
        #expect(certificate([change(0, voted: [p]), change(1, voted: [p]), change(2), change(3)]).allowedBlock(in: c) == .only(p.hash))
        // Split 2/1/1 (an equivocating gateway, three blocks): only the block with two votes may be certified.
        #expect(certificate([change(0, voted: [p]), change(1, voted: [p]), change(2, voted: [q]), change(3, voted: [r])])
            .allowedBlock(in: c) == .only(p.hash))
        // Split 2/2: either may hold a hidden certificate (a faulty member voting for both).
        #expect(certificate([change(0, voted: [p]), change(1, voted: [p]), change(2, voted: [q]), change(3, voted: [q])])
            .allowedBlock(in: c) == .nothing)
        // With only q = 3 signers, any block listed at all may be certified (the fourth may have voted for it).
        #expect(certificate([change(0, voted: [p]), change(1), change(2)]).allowedBlock(in: c) == .only(p.hash))
        #expect(certificate([change(0, voted: [p]), change(1, voted: [q]), change(2)]).allowedBlock(in: c) == .nothing)
    }

    @Test("A round-change certificate is verified like a quorum certificate")
    func certificateVerification() throws {
        let c = cluster.configuration
        try certificate([change(0), change(1), change(2)]).verify(in: c)
        #expect(ledgerError { try certificate([change(0), change(1)]).verify(in: c) }?.code == .insufficientVotes)
        #expect(ledgerError { try certificate([change(0), change(1), change(1)]).verify(in: c) }?.code == .duplicateVoter)
        #expect(ledgerError { try certificate([change(0), change(1), change(2, round: 1)]).verify(in: c) }?.code == .mismatchedVote)
        // A signature over other blocks than the change lists (a gateway dropping a listed vote).
        let honest = change(2, voted: [block("p")])
        let stripped = RoundChange(voter: honest.voter, height: 1, round: 0, previousHash: honest.previousHash, votedBlocks: [],
                                   signature: honest.signature)
        #expect(ledgerError { try certificate([change(0), change(1), stripped]).verify(in: c) }?.code == .invalidSignature)
        // Another cluster's member.
        let stranger = TestCluster(n: 4, seed: 9)
        let foreign = RoundChange(signing: 1, round: 0, previousHash: cluster.genesis.hash, votedBlocks: [],
                                  genesisDigest: cluster.configuration.genesisDigest, identity: stranger.identities[3])
        #expect(ledgerError { try certificate([change(0), change(1), foreign]).verify(in: c) } != nil)
    }

    @Test("A node that voted in round 0 votes again only in a justified later round, and never in a round it gave up")
    func nodeRules() {
        let p = block("p"), q = block("q")
        var node = cluster.node(0)
        #expect(node.receiveProposal(p, now: Self.now, validator: AcceptAllEntries()).vote != nil)
        // A later round without a certificate, or with one for another round, or one allowing another block.
        #expect(node.receiveProposal(Proposal(block: q, round: 1), now: Self.now, validator: AcceptAllEntries()).refusal?.isUnjustified == true)
        let allowsP = certificate([change(0, voted: [p]), change(1, voted: [p]), change(2), change(3)])
        #expect(node.receiveProposal(Proposal(block: q, round: 1, justification: allowsP), now: Self.now, validator: AcceptAllEntries())
            .refusal?.isUnjustified == true)
        #expect(node.receiveProposal(Proposal(block: p, round: 2, justification: allowsP), now: Self.now, validator: AcceptAllEntries())
            .refusal?.isUnjustified == true)
        let split = certificate([change(0, voted: [p]), change(1, voted: [p]), change(2, voted: [q]), change(3, voted: [q])])
        #expect(node.receiveProposal(Proposal(block: p, round: 1, justification: split), now: Self.now, validator: AcceptAllEntries())
            .refusal?.isUnjustified == true)
        // Too few signers.
        let short = certificate([change(1), change(2)])
        #expect(node.receiveProposal(Proposal(block: q, round: 1, justification: short), now: Self.now, validator: AcceptAllEntries())
            .refusal?.isUnjustified == true)
        // The node gives up round 1 before anything came: no vote in round 1, even justified.
        let given = node.abandon(round: 1)
        #expect(given?.votedBlocks == [p.hash] && given?.round == 1)
        #expect(node.receiveProposal(Proposal(block: p, round: 1, justification: allowsP), now: Self.now, validator: AcceptAllEntries())
            .refusal == .roundAbandoned(height: 1, round: 1, abandoned: 1))
        // Round 2 justified by a certificate for round 1 that allows p: voted, and a certificate needs round-2 votes.
        let allowsPInRound1 = certificate(round: 1, [change(0, round: 1, voted: [p]), change(1, round: 1, voted: [p]),
                                                     change(2, round: 1), change(3, round: 1)])
        let vote = node.receiveProposal(Proposal(block: p, round: 2, justification: allowsPInRound1), now: Self.now,
                                        validator: AcceptAllEntries()).vote
        #expect(vote?.round == 2 && vote?.blockHash == p.hash)
        // Asked for another block in round 2: that is equivocation in one round.
        #expect(node.receiveProposal(Proposal(block: q, round: 2, justification: allowsPInRound1), now: Self.now,
                                     validator: AcceptAllEntries()).alert?.round == 2)
        // An older round after a later one: refused.
        let anything = certificate([change(0), change(1), change(2), change(3)])
        #expect(node.receiveProposal(Proposal(block: q, round: 1, justification: anything), now: Self.now, validator: AcceptAllEntries())
            .refusal == .roundAbandoned(height: 1, round: 1, abandoned: 1))
    }

    @Test("A node that never voted abstains; with the abstentions a fresh block is proposed and voted for")
    func abstentionsAllowAFreshBlock() throws {
        let stale = block("stale", timestamp: TestCluster.genesisTime + 1)
        let late = Self.now + NodeConsensus.defaultMaximumBlockAge + 10_000
        var nodes = (0..<4).map { cluster.node($0) }
        // Node 0 voted for the proposal while it was fresh; the others find it too old.
        #expect(nodes[0].receiveProposal(stale, now: Self.now, validator: AcceptAllEntries()).vote != nil)
        for i in 1..<4 {
            if case .timestampBehind = nodes[i].receiveProposal(stale, now: late, validator: AcceptAllEntries()).refusal {} else {
                Issue.record("node \(i) accepted a stale block")
            }
        }
        // The abstentions arrive first: three signers listing nothing rule every block out.
        let changes = [1, 2, 3, 0].compactMap { nodes[$0].abandon(round: 0) }
        #expect(changes.prefix(3).allSatisfy(\.votedBlocks.isEmpty) && changes[3].votedBlocks == [stale.hash])
        var sequencer = try Sequencer(configuration: cluster.configuration, state: SequencerState(
            genesisDigest: cluster.configuration.genesisDigest, head: cluster.genesis, pending: stale))
        var proposal: Proposal?
        for change in changes {
            if case let .proposed(p) = try sequencer.receive(change, now: late) { proposal = p }
        }
        let fresh = try #require(proposal)
        #expect(fresh.round == 1 && fresh.block != stale && fresh.block.entries == stale.entries && fresh.block.timestamp == late)
        var certified: CertifiedBlock?
        for i in 0..<4 {
            let vote = try #require(nodes[i].receiveProposal(fresh, now: late, validator: AcceptAllEntries()).vote, "node \(i)")
            if case let .certified(c) = sequencer.receive(vote) { certified = c }
        }
        let committed = try #require(certified)
        #expect(committed.certificate.round == 1)
        try committed.verify(in: cluster.configuration)
        for i in 0..<4 {
            #expect(nodes[i].equivocationEvidence(committed) == nil)
            #expect(nodes[i].commit(committed) == .apply(fresh.block))
        }
    }

    @Test("A block that may be certified is proposed again, and accepted however old")
    func possiblyCertifiedIsReproposed() throws {
        let old = block("old", timestamp: TestCluster.genesisTime + 1)
        let late = Self.now + NodeConsensus.defaultMaximumBlockAge + 10_000
        var nodes = (0..<4).map { cluster.node($0) }
        var sequencer = try Sequencer(configuration: cluster.configuration, state: SequencerState(
            genesisDigest: cluster.configuration.genesisDigest, head: cluster.genesis, pending: old))
        // Two votes in round 0 (one short of q = 3), then two nodes that were down come back late.
        for i in 0..<2 {
            let vote = try #require(nodes[i].receiveProposal(old, now: Self.now, validator: AcceptAllEntries()).vote)
            #expect(sequencer.receive(vote) == .recorded(count: i + 1, quorum: 3))
        }
        var proposal: Proposal?
        for i in 0..<4 {
            let change = nodes[i].abandon(round: 0)
            if case let .proposed(p) = try sequencer.receive(try #require(change), now: late) { proposal = p }
        }
        let again = try #require(proposal)
        #expect(again.block == old && again.round == 1)
        for i in 0..<4 {
            let vote = try #require(nodes[i].receiveProposal(again, now: late, validator: AcceptAllEntries()).vote, "node \(i)")
            _ = sequencer.receive(vote)
        }
        #expect(sequencer.head == ChainHead(old))
    }

    @Test("Round changes for another height, round or chain are not counted; bad signatures are flagged")
    func sequencerIgnoresStrayChanges() throws {
        let p = block("p")
        var sequencer = try Sequencer(configuration: cluster.configuration, state: SequencerState(
            genesisDigest: cluster.configuration.genesisDigest, head: cluster.genesis, pending: p))
        if case .ignored = try sequencer.receive(change(0, round: 1), now: Self.now) {} else { Issue.record("another round counted") }
        if case .ignored = try sequencer.receive(change(0, height: 2), now: Self.now) {} else { Issue.record("another height counted") }
        if case .ignored = try sequencer.receive(change(0, previous: p.hash), now: Self.now) {} else { Issue.record("another chain counted") }
        let good = change(1)
        var bad = good.signature
        bad[0] ^= 1
        let forged = RoundChange(voter: good.voter, height: 1, round: 0, previousHash: good.previousHash, votedBlocks: [], signature: bad)
        if case .flagged = try sequencer.receive(forged, now: Self.now) {} else { Issue.record("a forged round change counted") }
        #expect(try sequencer.receive(good, now: Self.now) == .recorded(count: 1, quorum: 3))
        #expect(sequencer.roundChanges.count == 1)
    }

    @Test("Votes of different rounds never make a certificate")
    func certificatesAreOfOneRound() throws {
        let p = block("p")
        let votes = [Vote(signing: p, round: 0, genesisDigest: cluster.configuration.genesisDigest, identity: cluster.identities[0]),
                     Vote(signing: p, round: 1, genesisDigest: cluster.configuration.genesisDigest, identity: cluster.identities[1]),
                     Vote(signing: p, round: 1, genesisDigest: cluster.configuration.genesisDigest, identity: cluster.identities[2])]
        #expect(ledgerError { _ = try QuorumCertificate(votes: votes, configuration: cluster.configuration) }?.code == .mismatchedVote)
        // A round-0 signature does not verify as a round-1 vote.
        let relabelled = Vote(voter: votes[0].voter, height: 1, round: 1, blockHash: p.hash, previousHash: p.previousHash,
                              signature: votes[0].signature)
        #expect(ledgerError { try relabelled.verify(in: cluster.configuration) }?.code == .invalidSignature)
        let sameRound = [Vote(signing: p, round: 1, genesisDigest: cluster.configuration.genesisDigest, identity: cluster.identities[0])]
            + votes[1...]
        let certificate = try QuorumCertificate(votes: sameRound, configuration: cluster.configuration)
        #expect(certificate.round == 1)
        #expect(try QuorumCertificate(serialized: certificate.serialized) == certificate)
    }
}

extension ProposalRefusal {
    var isUnjustified: Bool {
        if case .unjustified = self { return true }
        return false
    }
}
