import CustosCore
import CustosLedger
import CustosTestSupport
import Testing

/// The floor a node restored from a backup learns from the other members' voting records
/// (`RestorationFloor`), with statements as a gateway or a corrupt member would make them.
@Suite("Restoration floor from voting records")
struct RestorationFloorTests {
    let cluster = TestCluster(n: 4)
    /// Node 3 is the one restored.
    let restored = NodeID("node-3")
    let nonce = [UInt8](repeating: 7, count: 32)

    /// Member `i`'s statement: head `head` (certified by members 0-2), its last vote and last round change.
    func statement(_ i: Int, head: Int, vote: (UInt64, UInt32)? = nil, change: RoundChange? = nil, nonce: [UInt8]? = nil,
                   cluster other: TestCluster? = nil) -> VotingRecordStatement {
        let signer = other ?? cluster
        let certificate = head == 0 ? nil : cluster.chain(head).last!.certificate
        return VotingRecordStatement(signing: restored, nonce: nonce ?? self.nonce, certificate: certificate,
                                     lastVote: vote.map { .init(height: $0.0, round: $0.1) }, roundChange: change,
                                     genesisDigest: signer.configuration.genesisDigest, identity: signer.identities[i])
    }

    /// The floor an operator who trusts the stating members gets (n − q + 1 statements): the
    /// cases below are about what the statements say, not how many there are.
    func floor(_ statements: [VotingRecordStatement]) throws(LedgerError) -> RestorationFloor {
        try RestorationFloor(restored: restored, nonce: nonce, statements: statements, configuration: cluster.configuration, trustingStatingMembers: true)
    }

    /// A round change by member `i` at height `height` (over the head of a chain of `height - 1`) for `round`.
    func change(_ i: Int, height: Int, round: UInt32, voted: [LedgerHash] = []) -> RoundChange {
        let previous = height == 1 ? cluster.genesis.hash : cluster.chain(height - 1).last!.block.hash
        return RoundChange(signing: UInt64(height), round: round, previousHash: previous, votedBlocks: voted,
                           genesisDigest: cluster.configuration.genesisDigest, identity: cluster.identities[i])
    }

    @Test("n − q + 1 statements; the floor covers every height up to the highest head, round 0 one above each head and vote, the round after each round change")
    func floorFromHonestStatements() throws {
        #expect(RestorationFloor.statementsNeeded(in: cluster.configuration, trustingStatingMembers: true) == 2)
        #expect(RestorationFloor.statementsNeeded(in: TestCluster(n: 7).configuration, trustingStatingMembers: true) == 3)
        // Heads at 5 and 4: the original may have voted in round 0 at 6.
        #expect(try floor([statement(0, head: 5, vote: (5, 0)), statement(1, head: 4, vote: (5, 0))]) == .init(committed: 5, rounds: [6: 0]))
        // A vote at 6 (uncommitted): the original may have voted there too, or committed 6 and voted at 7.
        #expect(try floor([statement(0, head: 5, vote: (6, 0)), statement(1, head: 5)]) == .init(committed: 5, rounds: [6: 0, 7: 0]))
        // A round change for round 2 at 6: the original may have voted in round 3 there.
        let withRounds = try floor([statement(0, head: 5, vote: (5, 0), change: change(0, height: 6, round: 2)), statement(1, head: 5)])
        #expect(withRounds == .init(committed: 5, rounds: [6: 3]))
        #expect(!withRounds.allowsVoting(height: 6, round: 3) && withRounds.allowsVoting(height: 6, round: 4))
        #expect(withRounds.allowsVoting(height: 7, round: 0) && !withRounds.allowsVoting(height: 5, round: 9))
        // A round change at a committed height says nothing more.
        #expect(try floor([statement(0, head: 5, change: change(0, height: 5, round: 7)), statement(1, head: 5)])
            == .init(committed: 5, rounds: [6: 0]))
    }

    /// Review helper-124 H1: a member that understates its record uncovers a place when the floor
    /// rests on n − q + 1 statements; by default it needs n − q + 1 + f (at n = 4: three), and
    /// the honest ones among them still cover every place.
    @Test("By default the floor needs n − q + 1 + f statements, and one understating member among them uncovers nothing")
    func oneLyingMemberIsTolerated() throws {
        #expect(RestorationFloor.statementsNeeded(in: cluster.configuration) == 3)
        #expect(RestorationFloor.statementsNeeded(in: TestCluster(n: 7).configuration) == 5)
        // Member 0 voted at 6 (so the original may have committed 6 and voted at 7); member 2 lies: no vote at all.
        let voted = statement(0, head: 5, vote: (6, 0)), quiet = statement(1, head: 5), liar = statement(2, head: 5)
        func strict(_ statements: [VotingRecordStatement]) throws(LedgerError) -> RestorationFloor {
            try RestorationFloor(restored: restored, nonce: nonce, statements: statements, configuration: cluster.configuration)
        }
        #expect(throws: LedgerError(.insufficientVotes, "")) { try strict([quiet, liar]) }
        // Two statements, the liar's among them, leave height 7 uncovered when the operator trusts them…
        #expect(try floor([quiet, liar]) == .init(committed: 5, rounds: [6: 0]))
        // …the default asks every other member, and the honest one covers it.
        #expect(try strict([quiet, liar, voted]) == .init(committed: 5, rounds: [6: 0, 7: 0]))
    }

    @Test("Hostile statements count for nothing: a forged signature, another cluster's genesis, a non-member, the restored node itself, another restore")
    func hostileStatementsDoNotCount() throws {
        let honest = statement(0, head: 5, vote: (5, 0))
        // Forged: member 1's name over member 0's signature.
        let forged = VotingRecordStatement(member: NodeID("node-1"), restored: restored, nonce: nonce, certificate: honest.certificate,
                                           lastVote: honest.lastVote, roundChange: nil, signature: honest.signature)
        let otherCluster = TestCluster(n: 4, name: "other", genesisDocument: Array("another genesis".utf8))
        let foreign = statement(1, head: 0, cluster: otherCluster)
        let outsider = TestCluster(n: 6, seed: 9)
        let nonMember = VotingRecordStatement(signing: restored, nonce: nonce, certificate: nil, lastVote: nil, roundChange: nil,
                                              genesisDigest: cluster.configuration.genesisDigest, identity: outsider.identities[5])
        let itself = statement(3, head: 0)
        let earlierRestore = statement(1, head: 0, nonce: [UInt8](repeating: 8, count: 32))
        for hostile in [forged, foreign, nonMember, itself, earlierRestore] {
            #expect(throws: LedgerError(.insufficientVotes, "")) { try floor([honest, hostile]) }
            // Next to two honest statements it changes nothing.
            #expect(try floor([honest, hostile, statement(2, head: 5)]) == .init(committed: 5, rounds: [6: 0]))
        }
        // One member twice is one member.
        #expect(throws: LedgerError(.insufficientVotes, "")) { try floor([honest, statement(0, head: 5)]) }
    }

    @Test("An inflated statement is refused above its certified head; a certificate that does not verify is refused")
    func inflationIsBoundedByCertificates() throws {
        // A corrupt member claims a vote at 1000 over a head of 5: refused, counts for nothing.
        #expect(throws: LedgerError(.insufficientVotes, "")) { try floor([statement(0, head: 5, vote: (1000, 0)), statement(1, head: 5)]) }
        // The same claim with a forged certificate of height 999: the votes in it do not verify.
        let real = cluster.chain(5).last!.certificate
        let fake = QuorumCertificate(height: 999, blockHash: real.blockHash, previousHash: real.previousHash, votes: real.votes.map {
            Vote(voter: $0.voter, height: 999, blockHash: $0.blockHash, previousHash: $0.previousHash, signature: $0.signature)
        })
        let inflated = VotingRecordStatement(signing: restored, nonce: nonce, certificate: fake, lastVote: .init(height: 1000, round: 0),
                                             roundChange: nil, genesisDigest: cluster.configuration.genesisDigest, identity: cluster.identities[0])
        #expect(throws: LedgerError.self) { try inflated.verify(restored: restored, nonce: nonce, in: cluster.configuration) }
        #expect(throws: LedgerError(.insufficientVotes, "")) { try floor([inflated, statement(1, head: 5)]) }
        // Within its certificate a corrupt member lifts the floor two heights past it at most (in any round at the first).
        #expect(try floor([statement(0, head: 5, vote: (6, 0), change: change(0, height: 6, round: .max)), statement(1, head: 2)])
            == .init(committed: 5, rounds: [6: .max, 7: 0]))
        // A round change by another member inside a statement is refused.
        #expect(throws: LedgerError(.insufficientVotes, "")) {
            try floor([statement(0, head: 5, change: change(1, height: 6, round: 0)), statement(1, head: 5)])
        }
    }

    @Test("The listing for a round change at the floor's height is the union of the members' round changes there, and needs n − q + 1 (+ f) of them")
    func listingAtTheFloorHeight() throws {
        let a = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("a")]).hash
        let b = cluster.nextBlock(after: cluster.genesis, entries: [sampleEntry("b")]).hash
        let genesis = cluster.genesis.hash
        func listing(_ statements: [VotingRecordStatement], round: UInt32 = 0, trusting: Bool = true) throws(LedgerError) -> [LedgerHash] {
            try RestorationFloor.listing(height: 1, round: round, previousHash: genesis, restored: restored, nonce: nonce,
                                         statements: statements, configuration: cluster.configuration, trustingStatingMembers: trusting)
        }
        let both = [statement(0, head: 0, vote: (1, 0), change: change(0, height: 1, round: 0, voted: [a])),
                    statement(1, head: 0, vote: (1, 0), change: change(1, height: 1, round: 1, voted: [b]))]
        #expect(try listing(both) == [a, b].sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) })
        // By default a listing, like the floor, needs n − q + 1 + f members' round changes there (review helper-124 H1).
        #expect(throws: LedgerError(.insufficientVotes, "")) { try listing(both, trusting: false) }
        let third = statement(2, head: 0, vote: (1, 0), change: change(2, height: 1, round: 0, voted: []))
        #expect(try listing(both + [third], trusting: false) == [a, b].sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) })
        // A member that has not given up round 1 yet may still vote in it: no listing for round 1.
        #expect(throws: LedgerError(.insufficientVotes, "")) { try listing(both, round: 1) }
        // Round changes at another height do not count.
        #expect(throws: LedgerError(.insufficientVotes, "")) {
            try listing([both[0], statement(1, head: 1, vote: (2, 0), change: change(1, height: 2, round: 0, voted: [b]))])
        }
    }

    @Test("A statement survives its encoding; truncated, oversized and trailing bytes are refused")
    func encoding() throws {
        let original = statement(0, head: 5, vote: (6, 1), change: change(0, height: 6, round: 0))
        let decoded = try VotingRecordStatement(serialized: original.serialized)
        #expect(decoded == original)
        try decoded.verify(restored: restored, nonce: nonce, in: cluster.configuration)
        #expect(throws: LedgerError.self) { try VotingRecordStatement(serialized: Array(original.serialized.dropLast())) }
        #expect(throws: LedgerError.self) { try VotingRecordStatement(serialized: original.serialized + [0]) }
        #expect(throws: LedgerError(.limitExceeded, "")) {
            try VotingRecordStatement(serialized: [UInt8](repeating: 1, count: VotingRecordStatement.maximumBytes + 1))
        }
    }
}
