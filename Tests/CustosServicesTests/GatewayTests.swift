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

    @Test func aNodeVoteRecordRefusesASecondBlockAtOneHeight() throws {
        let configuration = try self.configuration
        let votes = try NodeDatabase.inMemory()
        let a = try Block(height: 1, previousHash: configuration.genesisDigest, timestamp: 2_000, entries: [try Entry(kind: "k", payload: [1])])
        let b = try Block(height: 1, previousHash: configuration.genesisDigest, timestamp: 2_000, entries: [try Entry(kind: "k", payload: [2])])
        let voteA = Vote(signing: a, genesisDigest: configuration.genesisDigest, identity: identities[0])
        let voteB = Vote(signing: b, genesisDigest: configuration.genesisDigest, identity: identities[0])
        _ = try votes.recordVote(height: 1, blockHash: a.hash.bytes, vote: voteA.serialized)
        #expect(throws: StorageError.self) { try votes.recordVote(height: 1, blockHash: b.hash.bytes, vote: voteB.serialized) }
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
        #expect(throws: (any Error).self) { try bad.configuration() }
    }
}
