import Crypto
import CustosClusterAPI
import CustosCore
import CustosGateway
import CustosLedger
import CustosNode
import CustosNodeService
import CustosState
import CustosTestSupport
import Foundation
import Logging
import Testing

/// The gateway's sequencing core and the node's stores, in process and without a network (but
/// for the PostgreSQL server the PostgreSQL runs start on 127.0.0.1): proposals are durable
/// before they are served, a reopened gateway serves the same proposal, certificates form from
/// q votes and survive a reopen, and a node's vote record refuses a second block at one height.
@Suite(.exclusiveProcesses)
struct GatewayTests {
    static let genesis = try! TestGenesis()
    let identities: [NodeIdentity] = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) }
    var configuration: ClusterConfiguration {
        get throws { try Self.genesis.configuration(identities, genesisTimestamp: 1_000) }
    }

    @Test(arguments: StoreBackend.allCases)
    func aReopenedGatewayServesTheSameProposalAndKeepsCommittedBlocks(backend: StoreBackend) async throws {
        try await SharedDatabase.with(backend) { database in try await reopenedGateway(database) }
    }

    func reopenedGateway(_ database: SharedDatabase) async throws {
        let configuration = try self.configuration
        let clock: @Sendable () -> UInt64 = { 2_000 }
        var gateway: Gateway? = try await Gateway(configuration: configuration, store: try await database.open(),
                                                  logger: Logger(label: "test"), clock: clock)
        _ = try await gateway!.submit(try TestNote.entry("1"))
        let proposal = try #require(try await gateway!.nextProposal(after: 0))
        #expect(try await gateway!.nextProposal(after: 0) == proposal)
        gateway = nil

        // Another entry arrives; the reopened gateway still serves the stored block at height 1.
        let reopened = try await Gateway(configuration: configuration, store: try await database.open(),
                                         logger: Logger(label: "test"), clock: { 3_000 })
        _ = try await reopened.submit(try TestNote.entry("2"))
        let again = try #require(try await reopened.nextProposal(after: 0))
        #expect(again.serialized == proposal.serialized)

        // A vote signed by a key that is not the member's is flagged; q = 3 valid votes certify.
        let outsider = NodeIdentity(id: "node-1", signingKey: .init(), transportKey: .init())
        if case .flagged = try await reopened.receive(Vote(signing: again, genesisDigest: configuration.genesisDigest, identity: outsider)) {
        } else { Issue.record("a forged vote was not flagged") }
        var certified = false
        for identity in identities.prefix(3) {
            if case .certified = try await reopened.receive(Vote(signing: again, genesisDigest: configuration.genesisDigest, identity: identity)) {
                certified = true
            }
        }
        #expect(certified)
        let stored = try #require(try await reopened.committedBlock(height: 1))
        try stored.verify(in: configuration)
        #expect(try await reopened.health().queuedEntries == 1)

        let third = try await Gateway(configuration: configuration, store: try await database.open(),
                                      logger: Logger(label: "test"), clock: { 4_000 })
        #expect(try await third.committedBlock(height: 1)?.block == proposal)
        let next = try #require(try await third.nextProposal(after: 1))
        let second = try TestNote.entry("2")
        #expect(next.height == 2 && next.entries == [second])
        #expect(try await third.nextProposal(after: 0) == nil)
    }

    /// The README: "while a block is in flight, entries queue and the next block carries them
    /// all, up to 1,000" (the number, not `Gateway.maximumEntriesPerBlock`, so a changed cap
    /// fails here); the rest wait for the block after.
    @Test func theNextBlockCarriesTheQueueUpToAThousandEntries() async throws {
        try await SharedDatabase.with(.sqlite) { database in
            let configuration = try self.configuration
            let gateway = try await Gateway(configuration: configuration, store: try await database.open(), logger: Logger(label: "test"),
                                            clock: { 2_000 }, queueBounds: GatewayQueueBounds(perSigner: 5_000, total: 5_000))
            _ = try await gateway.submit(try TestNote.entry("first"))
            let first = try #require(try await gateway.nextProposal(after: 0))
            #expect(first.entries.count == 1)
            // 1,001 entries arrive while block 1 is in flight (concurrently: the gateway writes them in batches).
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<1_001 { group.addTask { _ = try await gateway.submit(try TestNote.entry("queued-\(i)")) } }
                try await group.waitForAll()
            }
            #expect(try await gateway.nextProposal(after: 0) == first, "a block in flight took queued entries")
            func certify(_ block: Block) async throws {
                for identity in identities.prefix(3) {
                    _ = try await gateway.receive(Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: identity))
                }
                #expect(try await gateway.committedBlock(height: block.height)?.block == block)
            }
            try await certify(first)
            let second = try #require(try await gateway.nextProposal(after: 1))
            #expect(second.entries.count == 1_000)
            try await certify(second)
            let third = try #require(try await gateway.nextProposal(after: 2))
            #expect(third.entries.count == 1)
            #expect(Set(second.entries + third.entries).count == 1_001, "an entry was carried twice or lost")
        }
    }

    @Test func aNodeVoteRecordRefusesASecondBlockAtOneHeight() throws {
        let configuration = try self.configuration
        let votes = try NodeDatabase.inMemory()
        let a = try Block(height: 1, previousHash: configuration.genesisDigest, timestamp: 2_000, entries: [try Entry(kind: "k", payload: [1])])
        let b = try Block(height: 1, previousHash: configuration.genesisDigest, timestamp: 2_000, entries: [try Entry(kind: "k", payload: [2])])
        let voteA = Vote(signing: a, genesisDigest: configuration.genesisDigest, identity: identities[0])
        let voteB = Vote(signing: b, genesisDigest: configuration.genesisDigest, identity: identities[0])
        _ = try votes.recordVote(height: 1, blockHash: a.hash.bytes, vote: voteA.serialized)
        #expect(throws: StorageError(.conflictingVote, "")) { try votes.recordVote(height: 1, blockHash: b.hash.bytes, vote: voteB.serialized) }
        #expect(try votes.recordedVotes().map(\.blockHash) == [a.hash.bytes], "the refused vote was recorded")
        #expect(try votes.recordVote(height: 1, blockHash: a.hash.bytes, vote: voteA.serialized) == voteA.serialized)
    }

    @Test func theClusterFileIsPublicAndChecked() throws {
        let file = ClusterFile(name: "unit", genesisTimestamp: 1_000,
                               genesisDocument: Data(Self.genesis.document.encoded).base64EncodedString(),
                               members: identities.map { ClusterFile.MemberKey(try! $0.member()) })
        let decoded = try JSONDecoder().decode(ClusterFile.self, from: try JSONEncoder().encode(file))
        #expect(try decoded.configuration() == (try configuration))
        var bad = file
        bad.members[0].publicKey = "zz"
        let refused = #expect(throws: ClusterAPIError(.invalidClusterFile, "")) { try bad.configuration() }
        #expect(refused?.reason.contains("member \(file.members[0].id): the public key") == true, "the refusal names the field")
    }
}
