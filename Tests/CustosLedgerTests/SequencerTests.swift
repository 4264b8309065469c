import Crypto
import CustosCore
import CustosLedger
import Testing

@Suite("Gateway sequencer")
struct SequencerTests {
    let cluster = TestCluster(n: 4)
    static let now = TestCluster.genesisTime + 1000

    func proposed(_ action: SequencerAction) -> Block? {
        if case let .persistProposalThenSend(b) = action { return b }
        return nil
    }

    @Test("Proposes, collects q distinct valid votes, certifies, moves on")
    func happyPath() throws {
        var sequencer = try Sequencer(configuration: cluster.configuration, state: .genesis(cluster.configuration))
        let block = try #require(proposed(try sequencer.propose(entries: [sampleEntry("a")], now: Self.now)))
        #expect(block.height == 1 && block.previousHash == cluster.configuration.genesisDigest && block.timestamp == Self.now)
        #expect(sequencer.receive(cluster.vote(0, for: block)) == .recorded(count: 1, quorum: 3))
        #expect(sequencer.receive(cluster.vote(1, for: block)) == .recorded(count: 2, quorum: 3))
        guard case let .certified(certified) = sequencer.receive(cluster.vote(2, for: block)) else {
            Issue.record("no certificate at q votes")
            return
        }
        #expect(certified.block == block)
        try certified.verify(in: cluster.configuration)
        #expect(sequencer.head == ChainHead(block))
        #expect(sequencer.pending == nil)
        // A late fourth vote is ignored, not flagged.
        guard case .ignored = sequencer.receive(cluster.vote(3, for: block)) else {
            Issue.record("late vote not ignored")
            return
        }
        // The next proposal extends the certified block; its time never goes backwards.
        let next = try #require(proposed(try sequencer.propose(entries: [], now: Self.now - 5)))
        #expect(next.height == 2 && next.previousHash == block.hash && next.timestamp == block.timestamp)
    }

    @Test("Invalid votes are flagged naming the voter; duplicates and stale votes are ignored")
    func badVotes() throws {
        var sequencer = try Sequencer(configuration: cluster.configuration, state: .genesis(cluster.configuration))
        let block = try #require(proposed(try sequencer.propose(entries: [sampleEntry("a")], now: Self.now)))
        let good = cluster.vote(0, for: block)

        var forged = good.signature
        forged[0] ^= 1
        let forgedVote = Vote(voter: "node-1", height: 1, blockHash: block.hash, previousHash: block.previousHash, signature: forged)
        #expect(sequencer.receive(forgedVote) == .flagged(voter: "node-1", error: LedgerError(.invalidSignature, "")))

        let outsider = NodeIdentity(id: "outsider", signingKey: Curve25519.Signing.PrivateKey(), transportKey: Curve25519.KeyAgreement.PrivateKey())
        #expect(sequencer.receive(Vote(signing: block, genesisDigest: cluster.configuration.genesisDigest, identity: outsider))
                == .flagged(voter: "outsider", error: LedgerError(.unknownMember, "")))

        let other = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("never proposed")])
        #expect(sequencer.receive(cluster.vote(2, for: other)) == .flagged(voter: "node-2", error: LedgerError(.mismatchedVote, "")))

        #expect(sequencer.receive(good) == .recorded(count: 1, quorum: 3))
        guard case .ignored = sequencer.receive(good) else {
            Issue.record("duplicate vote counted")
            return
        }
        let future = cluster.nextBlock(after: ChainHead(block))
        guard case .ignored = sequencer.receive(cluster.vote(1, for: future)) else {
            Issue.record("vote for another height counted")
            return
        }
        #expect(sequencer.votes.count == 1)
    }

    @Test("At most one proposal per height, also across a restart: the stored proposal is re-sent")
    func restart() throws {
        var sequencer = try Sequencer(configuration: cluster.configuration, state: .genesis(cluster.configuration))
        #expect(sequencer.resume() == nil)
        let block = try #require(proposed(try sequencer.propose(entries: [sampleEntry("a")], now: Self.now)))
        // Asked again before certification: the same block.
        #expect(try sequencer.propose(entries: [sampleEntry("b")], now: Self.now + 5) == .resend(block))
        _ = sequencer.receive(cluster.vote(0, for: block))

        // Crash: rebuild from the persisted state (written before the first send).
        let persisted = sequencer.state.serialized
        var restarted = try Sequencer(configuration: cluster.configuration, state: try SequencerState(serialized: persisted))
        #expect(restarted.resume() == .resend(block))
        #expect(try restarted.propose(entries: [sampleEntry("c")], now: Self.now + 9) == .resend(block))
        // Votes were volatile: nodes re-send theirs (the same vote), and the block certifies.
        _ = restarted.receive(cluster.vote(1, for: block))
        _ = restarted.receive(cluster.vote(2, for: block))
        guard case let .certified(certified) = restarted.receive(cluster.vote(3, for: block)) else {
            Issue.record("restarted sequencer did not certify")
            return
        }
        #expect(certified.block == block)
        #expect(try SequencerState(serialized: restarted.state.serialized) == restarted.state)
    }

    @Test("A stored state of another cluster or with a proposal that does not extend the head is refused")
    func badState() throws {
        let other = TestCluster(n: 4, name: "other")
        #expect(ledgerError { _ = try Sequencer(configuration: cluster.configuration, state: .genesis(other.configuration)) }?.code == .invalidConfiguration)
        let stray = cluster.chain(2)[1].block
        let state = SequencerState(genesisDigest: cluster.configuration.genesisDigest, head: cluster.genesis, pending: stray)
        #expect(ledgerError { _ = try Sequencer(configuration: cluster.configuration, state: state) }?.code == .brokenChain)
    }

    @Test("Proposals above the block limits are refused")
    func limits() throws {
        var sequencer = try Sequencer(configuration: cluster.configuration, state: .genesis(cluster.configuration))
        let many = Array(repeating: sampleEntry("x"), count: Block.maximumEntries + 1)
        #expect(ledgerError { _ = try sequencer.propose(entries: many, now: Self.now) }?.code == .limitExceeded)
        let big = try Entry(kind: "test.big", payload: [UInt8](repeating: 1, count: Entry.maximumPayloadBytes))
        #expect(ledgerError { _ = try sequencer.propose(entries: Array(repeating: big, count: 17), now: Self.now) }?.code == .limitExceeded)
        #expect(sequencer.pending == nil)
    }
}
