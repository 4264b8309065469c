import CustosCore
import CustosLedger
import Testing

@Suite("Node safety rules")
struct NodeSafetyTests {
    let cluster = TestCluster(n: 4)
    /// The node's clock at the time of block 1 (the test blocks are 1 s after their predecessor).
    static let now = TestCluster.genesisTime + 1000

    /// One row per rule: a proposal built from the genesis head, and the refusal it must get.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let expected: ProposalRefusal?
        let make: @Sendable (TestCluster) -> Block
        var testDescription: String { name }
    }

    /// The README's promise, as a number: a block may be at most 10 s ahead of a node's clock.
    /// Not read from `NodeConsensus`, so a changed default fails here.
    static let skew: UInt64 = 10_000
    static let cases: [Case] = [
        Case(name: "next block, on time", expected: nil) { c in c.nextBlock(after: c.genesis) },
        Case(name: "empty block", expected: nil) { c in c.nextBlock(after: c.genesis, entries: []) },
        Case(name: "exactly skew ahead", expected: nil) { c in c.nextBlock(after: c.genesis, timestamp: now + skew) },
        Case(name: "at the previous block's time", expected: nil) { c in
            c.nextBlock(after: c.genesis, timestamp: TestCluster.genesisTime)
        },
        Case(name: "gap: height 2 first", expected: .notNext(height: 2, expected: 1)) { c in
            try! Block(height: 2, previousHash: c.genesis.hash, timestamp: now, entries: [])
        },
        Case(name: "bad previous hash", expected: .wrongPreviousHash(expected: TestCluster(n: 4).genesis.hash, got: try! LedgerHash(bytes: [UInt8](repeating: 7, count: 32)))) { c in
            try! Block(height: 1, previousHash: try! LedgerHash(bytes: [UInt8](repeating: 7, count: 32)), timestamp: now, entries: [])
        },
        Case(name: "timestamp too far ahead", expected: .timestampAhead(block: now + skew + 1, clock: now, maximumSkew: skew)) { c in
            c.nextBlock(after: c.genesis, timestamp: now + skew + 1)
        },
        Case(name: "timestamp before the previous block", expected: .timestampBeforePrevious(block: TestCluster.genesisTime - 1, previous: TestCluster.genesisTime)) { c in
            c.nextBlock(after: c.genesis, timestamp: TestCluster.genesisTime - 1)
        },
        Case(name: "entry refused by the validator", expected: .entryRejected(index: 1, kind: "test.forbidden", reason: "forbidden kind")) { c in
            c.nextBlock(after: c.genesis, entries: [sampleEntry("ok"), sampleEntry("no", kind: "test.forbidden"), sampleEntry("ok")])
        },
    ]

    @Test("Each rule, one proposal at a time", arguments: cases)
    func rule(_ c: Case) {
        var node = cluster.node(0)
        let block = c.make(cluster)
        let validator = ClosureEntryValidator { entry, _, _ in entry.kind == "test.forbidden" ? .reject(reason: "forbidden kind") : .accept }
        let action = node.receiveProposal(block, now: Self.now, validator: validator)
        if let expected = c.expected {
            #expect(action == .refuse(expected), "\(c.name)")
            #expect(node.safetyState.lastVote == nil, "a refusal records no vote")
        } else {
            let vote = try! #require(action.vote, "\(c.name): \(action)")
            #expect(vote.height == block.height && vote.blockHash == block.hash)
            #expect(ledgerError { try vote.verify(in: cluster.configuration) } == nil)
            #expect(node.safetyState.lastVote == .init(height: block.height, blockHash: block.hash))
        }
    }

    @Test("Timestamp too far behind the node's clock: a stored proposal may wait up to the block age, not longer")
    func tooOld() {
        var node = cluster.node(0)
        let block = cluster.nextBlock(after: cluster.genesis)
        // The README's promise, as a number: at most 2 minutes behind the node's clock.
        let age: UInt64 = 120_000
        let late = block.timestamp + age + 1
        #expect(node.receiveProposal(block, now: late, validator: AcceptAllEntries())
                == .refuse(.timestampBehind(block: block.timestamp, clock: late, maximumSkew: age)))
        var patient = cluster.node(1)
        #expect(patient.receiveProposal(block, now: block.timestamp + age, validator: AcceptAllEntries()).vote != nil)
    }

    @Test("The validator sees every entry in order with its index")
    func validatorOrder() {
        final class Seen: @unchecked Sendable { var indices: [Int] = [] }  // test-local, single task
        let seen = Seen()
        var node = cluster.node(0)
        let block = cluster.nextBlock(after: cluster.genesis, entries: (0..<5).map { sampleEntry("\($0)") })
        _ = node.receiveProposal(block, now: Self.now, validator: ClosureEntryValidator { _, i, _ in seen.indices.append(i); return .accept })
        #expect(seen.indices == [0, 1, 2, 3, 4])
    }

    @Test("The same block again gets the same vote; a different block at that height raises an alert naming both")
    func equivocation() {
        var node = cluster.node(1)
        let a = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("pay alice")])
        let b = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("pay mallory")])
        let first = node.receiveProposal(a, now: Self.now, validator: AcceptAllEntries())
        let again = node.receiveProposal(a, now: Self.now, validator: AcceptAllEntries())
        #expect(first.vote != nil)
        #expect(again.vote?.blockHash == a.hash)
        #expect(again.vote?.signature == first.vote?.signature)
        let alert = node.receiveProposal(b, now: Self.now, validator: AcceptAllEntries())
        #expect(alert == .alertEquivocation(EquivocationAlert(height: 1, votedHash: a.hash, conflictingHash: b.hash)))
        #expect(alert.alert?.description.contains(a.hash.hex) == true)
        #expect(alert.alert?.description.contains(b.hash.hex) == true)
        #expect(node.safetyState.lastVote?.blockHash == a.hash)
    }

    @Test("A restarted node (rebuilt from its persisted state) never votes for a different block at the same height")
    func restart() throws {
        var node = cluster.node(2)
        let a = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("a")])
        let b = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("b")])
        guard case .persistVoteThenSend = node.receiveProposal(a, now: Self.now, validator: AcceptAllEntries()) else {
            Issue.record("expected a vote")
            return
        }
        let persisted = node.safetyState.serialized  // the write that happens before the send
        var restarted = cluster.node(2, state: try SafetyState(serialized: persisted))
        #expect(restarted.receiveProposal(b, now: Self.now, validator: AcceptAllEntries()).alert != nil)
        #expect(restarted.receiveProposal(a, now: Self.now, validator: AcceptAllEntries()).vote?.blockHash == a.hash)
    }

    @Test("Commit: a certified next block is applied; bad certificates, gaps and wrong parents are refused")
    func commit() {
        var node = cluster.node(0)
        let chain = cluster.chain(3)
        // Gap.
        #expect(node.commit(chain[1]) == .refuse(.notNext(height: 2, expected: 1)))
        // Short certificate.
        let short = cluster.certified(chain[0].block, by: 0..<(cluster.quorum - 1))
        guard case .refuse(.invalidCertificate(let error)) = node.commit(short) else {
            Issue.record("short certificate applied")
            return
        }
        #expect(error.code == .insufficientVotes)
        // Certificate for another block.
        let other = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("other")])
        guard case .refuse(.invalidCertificate) = node.commit(other, certificate: chain[0].certificate) else {
            Issue.record("foreign certificate applied")
            return
        }
        // Good.
        #expect(node.commit(chain[0]) == .apply(chain[0].block))
        #expect(node.head == ChainHead(chain[0].block))
        // Duplicate delivery.
        #expect(node.commit(chain[0]) == .refuse(.alreadyCommitted(height: 1, committedHeight: 1)))
        // A certified block at height 2 on another parent.
        let fork = cluster.chain(2, tag: "fork")[1]
        #expect(node.commit(fork) == .refuse(.wrongPreviousHash(expected: chain[0].block.hash, got: fork.block.previousHash)))
        // After commit, the next proposal must extend the new head.
        #expect(node.receiveProposal(chain[1].block, now: chain[1].block.timestamp, validator: AcceptAllEntries()).vote != nil)
        #expect(node.receiveProposal(chain[0].block, now: chain[1].block.timestamp, validator: AcceptAllEntries())
                == .refuse(.alreadyCommitted(height: 1, committedHeight: 1)))
    }

    @Test("A node that voted for a block that lost still applies the certified one")
    func certificateOutranksVote() {
        var node = cluster.node(3)
        let a = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("a")])
        let b = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("b")])
        _ = node.receiveProposal(a, now: Self.now, validator: AcceptAllEntries())
        let certifiedB = cluster.certified(b, by: 0..<3)
        #expect(node.equivocationEvidence(certifiedB) == EquivocationAlert(height: 1, votedHash: a.hash, conflictingHash: b.hash))
        #expect(node.equivocationEvidence(cluster.certified(a, by: 0..<3)) == nil)
        #expect(node.commit(certifiedB) == .apply(b))
    }

    @Test("Catch-up verifies every block and certificate, all or nothing")
    func catchUp() {
        let chain = cluster.chain(6)
        var node = cluster.node(0)
        #expect(node.commit(chain[0]) == .apply(chain[0].block))

        // A gap.
        var lagging = node
        #expect(lagging.catchUp([chain[1], chain[3]]) == .refuse(height: 4, reason: .notNext(height: 4, expected: 3)))
        #expect(lagging.head == node.head, "nothing applied")
        // A bad certificate in the middle.
        var bad = chain
        bad[3] = cluster.certified(chain[3].block, by: 0..<(cluster.quorum - 1))
        guard case .refuse(height: 4, reason: .invalidCertificate) = lagging.catchUp(Array(bad[1...])) else {
            Issue.record("bad certificate accepted in catch-up")
            return
        }
        #expect(lagging.head == node.head)
        // A fork spliced in.
        var spliced = chain
        spliced[2] = cluster.chain(3, tag: "fork")[2]
        guard case .refuse(height: 3, reason: .wrongPreviousHash) = lagging.catchUp(Array(spliced[1...])) else {
            Issue.record("fork accepted in catch-up")
            return
        }
        // The whole chain, overlapping the committed head.
        #expect(lagging.catchUp(chain) == .apply(chain[1...].map(\.block)))
        #expect(lagging.head == ChainHead(chain[5].block))
        #expect(lagging.catchUp([]) == .apply([]))
    }

    @Test("Safety state round-trips and decoding is strict")
    func safetyStateEncoding() throws {
        var node = cluster.node(0)
        _ = node.receiveProposal(cluster.nextBlock(after: cluster.genesis), now: Self.now, validator: AcceptAllEntries())
        for state in [SafetyState.genesis(cluster.configuration), node.safetyState] {
            let bytes = state.serialized
            #expect(try SafetyState(serialized: bytes) == state)
            #expect(ledgerError { _ = try SafetyState(serialized: bytes + [0]) }?.code == .malformedEncoding)
            #expect(ledgerError { _ = try SafetyState(serialized: Array(bytes.dropLast())) }?.code == .malformedEncoding)
        }
    }
}
