import AsyncHTTPClient
import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosNode
import CustosState
@testable import CustosNodeService
import Foundation
import Logging
import Testing

/// A node's log participation: a node restarted after a crash between recording its vote and
/// sending it never votes for a second block at that height, and re-sends the recorded vote for
/// the same block; a node runs each committed block's entries through the transition once.
struct LogFollowerTests {
    @Test func aNodeRestartedMidVoteNeverVotesTwiceAtOneHeight() async throws {
        let scene = try CommitScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let a = try Block(height: 1, previousHash: scene.configuration.genesisDigest, timestamp: scene.now,
                          entries: [try TestNote.entry("1")])
        let b = try Block(height: 1, previousHash: scene.configuration.genesisDigest, timestamp: scene.now,
                          entries: [try TestNote.entry("2")])
        let first = try scene.node(0)
        let voteA = try #require(try await first.decide(a, now: scene.now))
        // "Crash" here: the vote is on record but was never sent.

        let restarted = try scene.node(0)
        #expect(try await restarted.decide(b, now: scene.now) == nil, "voted for a second block at height 1 after a restart")
        #expect(try await restarted.decide(a, now: scene.now) == voteA)
        let vote = try Vote(serialized: voteA)
        #expect(vote.blockHash == a.hash && vote.height == 1)
        try vote.verify(in: scene.configuration)
    }

    /// A node that gave up round 0 (its round change recorded, then the send failed: no gateway
    /// answers) and restarted votes in round 0 no more, for any block; its database refuses
    /// such a vote too.
    @Test func aRoundGivenUpStaysGivenUpAfterARestart() async throws {
        let scene = try CommitScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let block = try Block(height: 1, previousHash: scene.configuration.genesisDigest, timestamp: scene.now,
                              entries: [try TestNote.entry("1")])
        let first = try scene.node(0)
        await #expect(throws: (any Error).self) { try await first.abandon(0) }
        let restarted = try scene.node(0)
        #expect(try await restarted.decide(block, now: scene.now) == nil, "voted in a round it gave up, after a restart")
        let database = await restarted.votes
        #expect(try database.recordedVotes().isEmpty)
        let vote = Vote(signing: block, genesisDigest: scene.configuration.genesisDigest, identity: scene.identities[0])
        #expect(throws: StorageError.self) {
            try database.recordVote(height: 1, blockHash: block.hash.bytes, vote: vote.serialized)
        }
    }

    /// A gateway restarted long after a proposal (beyond the nodes' tolerance for block age) can
    /// still finish it: a node that recorded a vote for that very block re-sends it however old
    /// the block is (it does not decide again), while a node that never voted for it still holds
    /// it to the clock.
    @Test func aRecordedVoteIsResentForTheSameBlockHoweverOldItIs() async throws {
        let scene = try CommitScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let block = try Block(height: 1, previousHash: scene.configuration.genesisDigest, timestamp: scene.now,
                              entries: [try TestNote.entry("1")])
        let vote = try #require(try await scene.node(0).decide(block, now: scene.now))
        let anHourLater = scene.now + 3_600_000
        #expect(try await scene.node(0).decide(block, now: anHourLater) == vote, "a restarted node did not re-send its recorded vote")
        #expect(try await scene.node(1).decide(block, now: anHourLater) == nil, "a node voted for a block outside its clock tolerance")
    }

    /// Two blocks of governance entries — a proposal, approvals, a refused self-approval — each
    /// decided (voted for) and then committed through the node's own path: the transition runs
    /// every entry once, and the committed state is the one the blocks lead to.
    @Test func aNodeAppliesTheEntriesOfABlockItVotedForOnce() async throws {
        let scene = try CommitScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let blocks = try scene.governanceBlocks()
        let node = try scene.node(0)
        let counter = AppliedEntryCounter()
        try await ReplicatedState.$appliedEntries.withValue(counter) {
            for block in blocks {
                let vote = try await node.decide(block, now: block.timestamp)
                #expect(vote != nil, "the node did not vote for block \(block.height)")
                let committed = try await node.commit(try scene.certified(block))
                #expect(committed)
            }
        }
        #expect(counter.value == blocks.map(\.entries.count).reduce(0, +), "entries ran through the transition more than once")
        #expect(try await node.health().stateDigest == scene.state(after: blocks).digest.hexString)
        // frank's self-approval and the note (a rejection of an operation that does not exist).
        #expect(await node.health().counters.entriesRefused == 2)
    }

    /// A node that voted for one block and sees another one certified at that height (the gateway
    /// equivocated) applies the certified block, not the state it kept for its own vote.
    @Test func aNodeAppliesACertifiedBlockOtherThanTheOneItValidated() async throws {
        let scene = try CommitScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let voted = try scene.governanceBlocks()[0]
        let certified = try Block(height: 1, previousHash: voted.previousHash, timestamp: voted.timestamp,
                                  entries: Array(voted.entries.prefix(1)))
        let node = try scene.node(0)
        let counter = AppliedEntryCounter()
        try await ReplicatedState.$appliedEntries.withValue(counter) {
            let vote = try await node.decide(voted, now: voted.timestamp)
            #expect(vote != nil)
            let committed = try await node.commit(try scene.certified(certified))
            #expect(committed)
        }
        #expect(counter.value == voted.entries.count + certified.entries.count)
        #expect(try await node.health().stateDigest == scene.state(after: [certified]).digest.hexString)
        #expect(await node.health().counters.equivocationAlerts == 1)
    }

    /// The certificate a gateway answers a vote with commits the block the node voted for only
    /// if it certifies exactly that block: a missing one, one for another block, one short of a
    /// quorum, one with a forged vote, and one malformed (not base64, truncated, a trailing byte)
    /// commit nothing and leave the head where it was; the real one commits, running the block's
    /// entries once.
    @Test func aVotersBlockCommitsOnlyWithACertificateOfThatVeryBlock() async throws {
        let scene = try CommitScene()
        defer { try? FileManager.default.removeItem(at: scene.folder) }
        let voted = try scene.governanceBlocks()[0]
        let other = try Block(height: 1, previousHash: voted.previousHash, timestamp: voted.timestamp, entries: Array(voted.entries.prefix(1)))
        let node = try scene.node(0)
        let counter = AppliedEntryCounter()
        try await ReplicatedState.$appliedEntries.withValue(counter) {
            #expect(try await node.decide(voted, now: voted.timestamp) != nil)
            let good = try scene.certified(voted).certificate
            let votes = scene.identities[1...].map { Vote(signing: voted, genesisDigest: scene.configuration.genesisDigest, identity: $0) }
            let short = QuorumCertificate(height: 1, blockHash: voted.hash, previousHash: voted.previousHash, votes: Array(votes.prefix(2)))
            // node-4's vote signed by a key that is not node-4's: three votes, one forged.
            let forgedVote = Vote(signing: voted, genesisDigest: scene.configuration.genesisDigest, identity: NodeIdentity(
                id: scene.identities[3].id, signingKey: .init(), transportKey: .init()))
            let forged = QuorumCertificate(height: 1, blockHash: voted.hash, previousHash: voted.previousHash,
                                           votes: Array(votes.prefix(2)) + [forgedVote])
            var notBase64 = VoteReceipt(outcome: "recorded")
            notBase64.certificate = "%%%"
            var truncated = VoteReceipt(outcome: "recorded")
            truncated.certificate = Data(good.serialized.dropLast()).base64EncodedString()
            var trailing = VoteReceipt(outcome: "recorded")
            trailing.certificate = Data(good.serialized + [0]).base64EncodedString()
            let refused: [(String, VoteReceipt)] = [
                ("none", VoteReceipt(outcome: "recorded")),
                ("another block's", VoteReceipt(outcome: "recorded", certificate: try scene.certified(other).certificate)),
                ("two votes", VoteReceipt(outcome: "recorded", certificate: short)),
                ("a forged vote", VoteReceipt(outcome: "recorded", certificate: forged)),
                ("not base64", notBase64), ("truncated", truncated), ("a trailing byte", trailing),
            ]
            for (name, receipt) in refused {
                #expect(try await !node.commitVoted(voted, receipt: receipt), "committed with \(name) certificate")
                #expect(await node.head.height == 0, "the head moved with \(name) certificate")
            }
            #expect(try await node.commitVoted(voted, receipt: VoteReceipt(outcome: "certified", certificate: good)))
        }
        let head = await node.head
        #expect(head.height == 1 && head.hash == voted.hash)
        #expect(counter.value == voted.entries.count)
        #expect(try await node.health().stateDigest == scene.state(after: [voted]).digest.hexString)
    }
}

/// Four node identities over the test genesis, each node's stores in a temporary folder (a node
/// made again on the same stores is that node restarted), blocks of real governance entries, and
/// the certificates the other three nodes would give them. The gateway is never contacted:
/// `decide` and `commit` do no I/O but the node's own stores.
struct CommitScene {
    let identities = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) }
    let now: UInt64 = 1_700_000_000_000
    var genesis: TestGenesis
    let configuration: ClusterConfiguration
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-node-\(UUID().uuidString)")

    init() throws {
        genesis = try TestGenesis()
        configuration = try genesis.configuration(identities, genesisTimestamp: now - 1_000)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func node(_ index: Int) throws -> LogFollower {
        let path = folder.appendingPathComponent("node-\(index)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return try LogFollower(configuration: configuration, identity: identities[index],
                               votes: try NodeDatabase(path: path + "/votes.sqlite"), chain: try NodeChainStore(path: path + "/chain.sqlite"),
                               gateway: GatewayClient(baseURL: "http://127.0.0.1:9", client: HTTPClient.shared), logger: Logger(label: "test"))
    }

    /// Block 1: frank proposes adding a user, grace approves, frank approves his own operation
    /// (refused, recorded). Block 2: erin's approval executes it, beside an entry of another layer.
    func governanceBlocks() throws -> [Block] {
        var people = genesis.authenticators
        func assertion(_ user: String, _ challenge: [UInt8]) -> WebAuthnAssertion.Response {
            people[user]!.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: challenge)
        }
        let p = GovernanceProposal(id: "add-ivan", proposer: "frank", change: .addUser(id: "ivan", roles: []))
        let first = try Block(height: 1, previousHash: configuration.genesisDigest, timestamp: now, entries: [
            try GovernanceEntry.propose(p, assertion: assertion("frank", p.challenge(.propose, genesisDigest: genesis.document.digest))).entry(),
            try GovernanceEntry.approve(operationId: p.id, user: "grace", assertion: assertion("grace", p.challenge(.approve, genesisDigest: genesis.document.digest))).entry(),
            try GovernanceEntry.approve(operationId: p.id, user: "frank", assertion: assertion("frank", p.challenge(.approve, genesisDigest: genesis.document.digest))).entry(),
        ])
        let second = try Block(height: 2, previousHash: first.hash, timestamp: now + 1_000, entries: [
            try GovernanceEntry.approve(operationId: p.id, user: "erin", assertion: assertion("erin", p.challenge(.approve, genesisDigest: genesis.document.digest))).entry(),
            try TestNote.entry("1"),
        ])
        return [first, second]
    }

    /// `block` with the votes of nodes 2, 3 and 4 (a quorum of four).
    func certified(_ block: Block) throws -> CertifiedBlock {
        let votes = identities[1...].map { Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: $0) }
        return CertifiedBlock(block: block, certificate: try QuorumCertificate(votes: Array(votes), configuration: configuration))
    }

    /// The governed state `blocks` lead to from genesis, applied as a block at a time.
    func state(after blocks: [Block]) throws -> ReplicatedState {
        var state = try configuration.genesisState()
        for block in blocks { state.apply(block) }
        return state
    }
}
