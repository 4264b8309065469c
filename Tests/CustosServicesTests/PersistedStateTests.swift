import AsyncHTTPClient
import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import CustosNode
@testable import CustosNodeService
import CustosState
import Foundation
import GRDB
import Logging
import Testing

/// A node restarts from the state it persisted (`PersistedState`, vouched for by its seal) and
/// replays only the blocks above it; old blocks move to the archive and the whole log stays
/// exportable. Tried as an attacker with the node's disk would: an altered snapshot, another
/// node's, a snapshot under a history the trust anchor refuses.
@Suite struct PersistedStateTests {
    let scene: NodeScene
    let blocks: [CertifiedBlock]
    /// The state after each height, replayed from genesis (index 0: genesis).
    let states: [ReplicatedState]

    init() throws {
        scene = try NodeScene()
        blocks = try scene.chain(30, tag: "persisted")
        var state = try scene.configuration.genesisState()
        var states = [state]
        for certified in blocks {
            state.apply(certified.block)
            states.append(state)
        }
        self.states = states
    }

    /// A node's stores named `name`, with the first `count` blocks committed, and a database
    /// sealed by its own passphrase seal.
    func stores(_ name: String, committed count: Int) throws -> (chain: NodeChainStore, database: NodeDatabase, path: String) {
        let path = try scene.stores(name)
        let keys = try NodeKeys.create(dataFolder: path, configuration: NodeConfiguration(id: "node-5", environment: .development, sealing: .passphrase),
                                       credential: .passphrase(SecretBytes(Array("\(name) passphrase".utf8))))
        let database = try NodeDatabase(path: path + "/votes.sqlite", seal: keys.seal)
        let chain = try NodeChainStore(path: path + "/chain.sqlite")
        for (i, certified) in blocks.prefix(count).enumerated() {
            try chain.append(certified, stateDigest: states[i + 1].digest, snapshot: nil)
        }
        return (chain, database, path)
    }

    func commit(_ range: ClosedRange<Int>, to chain: NodeChainStore) throws {
        for height in range { try chain.append(blocks[height - 1], stateDigest: states[height].digest, snapshot: nil) }
    }

    @Test func aNodeRestartsFromItsPersistedStateWithoutTheBlocksBelowIt() throws {
        let (chain, database, _) = try stores("restart", committed: 20)
        try chain.persist(try PersistedState(states[20]), sealedBy: database)
        try commit(21...30, to: chain)
        #expect(try chain.prune(through: 20) == 20)
        #expect(try chain.lowestWorkingHeight() == 21)
        // Without the archive the chain below 21 is gone from this host: only the persisted
        // state can start the node, and it lands on the head's digest.
        try FileManager.default.removeItem(atPath: chain.archivePath)
        let restarted = try chain.committedState(scene.configuration, sealedBy: database)
        #expect(restarted.height == 30)
        #expect(restarted.digest == states[30].digest)
        #expect(throws: ClusterAPIError(.blocksMissing, "")) { try chain.committedState(scene.configuration) }
        #expect(throws: ClusterAPIError(.blocksMissing, "")) { try chain.blocks() }
    }

    @Test func prunedBlocksStayExportableFromTheArchive() throws {
        let (chain, database, _) = try stores("archive", committed: 30)
        #expect(throws: ClusterAPIError(.pruneRefused, "")) { try chain.prune(through: 10) }
        try chain.persist(try PersistedState(states[25]), sealedBy: database)
        // Never above the persisted state, never the head.
        #expect(try chain.prune(through: 29) == 25)
        #expect(try chain.lowestWorkingHeight() == 26)
        #expect(try chain.prune(through: 29) == 0)
        let exported = try chain.blocks()
        #expect(exported.map(\.block.hash) == blocks.map(\.block.hash))
        #expect(exported.map(\.certificate.serialized) == blocks.map(\.certificate.serialized))
        #expect(try chain.blockHash(at: 3) == blocks[2].block.hash)
        // A replay from genesis reads the archive: the same state as from the persisted one.
        #expect(try chain.committedState(scene.configuration).digest == states[30].digest)
        #expect(try chain.committedState(scene.configuration, sealedBy: database).digest == states[30].digest)
    }

    @Test func anAlteredPersistedStateIsNotUsedAndTheChainIsReplayedInstead() throws {
        let (chain, database, path) = try stores("altered", committed: 30)
        try chain.persist(try PersistedState(states[20]), sealedBy: database)
        // The attacker unfreezes nothing and freezes nothing: they flip one value in the rooms
        // the digest sees only by their journal (a refusal's reason), and keep every column.
        let queue = try DatabaseQueue(path: path + "/chain.sqlite")
        try queue.write { db in
            let encoded = try #require(try Data.fetchOne(db, sql: "SELECT encoded FROM persistedState"))
            let text = String(decoding: encoded, as: UTF8.self)
            #expect(text.contains("persisted-7"))
            let altered = Data(text.replacingOccurrences(of: "persisted-7", with: "persisted-X").utf8)
            try db.execute(sql: "UPDATE persistedState SET encoded = ?", arguments: [altered])
        }
        try queue.close()
        #expect(throws: PersistedStateError(.snapshotUnsealed, "")) { try chain.verifiedPersistedState(sealedBy: database) }
        try chain.prune(through: 20)
        let replayed = try chain.committedState(scene.configuration, sealedBy: database)
        #expect(replayed.digest == states[30].digest)
        #expect(canonicalStateText(replayed).contains("persisted-7"))
    }

    @Test func anotherNodesPersistedStateIsNotVouchedFor() throws {
        let (chain, database, path) = try stores("mine", committed: 20)
        let (other, otherDatabase, otherPath) = try stores("theirs", committed: 20)
        try other.persist(try PersistedState(states[20]), sealedBy: otherDatabase)
        // Their whole row, copied into this node's store: this node's seal never vouched for it.
        let theirs = try DatabaseQueue(path: otherPath + "/chain.sqlite")
        let row = try theirs.read { db in try #require(try Row.fetchOne(db, sql: "SELECT * FROM persistedState")) }
        try theirs.close()
        let mine = try DatabaseQueue(path: path + "/chain.sqlite")
        try mine.write { db in
            try db.execute(sql: "INSERT INTO persistedState (id, height, blockHash, stateDigest, encoded) VALUES (1, ?, ?, ?, ?)",
                           arguments: [row["height"], row["blockHash"], row["stateDigest"], row["encoded"]] as StatementArguments)
        }
        try mine.close()
        #expect(throws: PersistedStateError(.snapshotUnsealed, "")) { try chain.verifiedPersistedState(sealedBy: database) }
        #expect(try chain.committedState(scene.configuration, sealedBy: database).digest == states[20].digest)
        // A state of another history at the same height is not persisted under this node's seal.
        var forged = try scene.configuration.genesisState()
        for certified in try scene.chain(20, tag: "forged") { forged.apply(certified.block) }
        #expect(throws: PersistedStateError(.snapshotRefused, "")) { try chain.persist(try PersistedState(forged), sealedBy: database) }
    }

    @Test func theTrustAnchorStillJudgesTheHistoryBelowThePersistedState() throws {
        let (chain, database, _) = try stores("anchored", committed: 30)
        try chain.persist(try PersistedState(states[20]), sealedBy: database)
        try chain.prune(through: 20)
        let wrong = try TrustAnchor(height: 10, hash: blocks[11].block.hash)
        #expect(throws: ClusterAPIError(.untrustedHistory, "")) { try chain.committedState(scene.configuration, anchor: wrong, sealedBy: database) }
        let right = try TrustAnchor(height: 10, hash: blocks[9].block.hash)
        #expect(try chain.committedState(scene.configuration, anchor: right, sealedBy: database).digest == states[30].digest)
    }

    /// Someone who can write the node's disk but holds no member's key appends a tail above the
    /// persisted state: chained on it, with digest rows that match, certified by impostors under
    /// the members' ids. The restart checks every block's certificate and refuses it.
    @Test func aForgedTailAboveThePersistedStateIsRefused() throws {
        let (chain, database, _) = try stores("forged-tail", committed: 20)
        try chain.persist(try PersistedState(states[20]), sealedBy: database)
        let impostors = scene.identities.map { NodeIdentity(id: $0.id, signingKey: .init(), transportKey: .init()) }
        let block = try Block(height: 21, previousHash: blocks[19].block.hash, timestamp: blocks[19].block.timestamp + 1_000,
                              entries: [try TestNote.entry("forged-21")])
        let votes = impostors.map { Vote(signing: block, genesisDigest: scene.configuration.genesisDigest, identity: $0) }
        let forged = CertifiedBlock(block: block, certificate: QuorumCertificate(height: 21, blockHash: block.hash, previousHash: block.previousHash, votes: votes))
        var after = states[20]
        after.apply(block)
        try chain.append(forged, stateDigest: after.digest, snapshot: nil)
        #expect(throws: ClusterAPIError(.stateMismatch, "")) { try chain.committedState(scene.configuration, sealedBy: database) }
        #expect(throws: ClusterAPIError(.stateMismatch, "")) { try chain.committedState(scene.configuration) }
    }

    /// Block 1 must follow the genesis like every other block its predecessor: a chain whose
    /// first block names another previous hash is refused on replay.
    @Test func aFirstBlockThatDoesNotFollowTheGenesisIsRefused() throws {
        let path = try scene.stores("not-genesis")
        let chain = try NodeChainStore(path: path + "/chain.sqlite")
        let block = try Block(height: 1, previousHash: blocks[0].block.hash, timestamp: blocks[0].block.timestamp,
                              entries: [try TestNote.entry("elsewhere-1")])
        var after = states[0]
        after.apply(block)
        try chain.append(try scene.certified(block), stateDigest: after.digest, snapshot: nil)
        #expect(throws: ClusterAPIError(.stateMismatch, "")) { try chain.committedState(scene.configuration) }
    }

    /// The follower of a node restarted on its stores starts from the persisted state: its head
    /// and state are the chain's even when no block below the persisted state is left.
    @Test func aRestartedFollowerStartsFromThePersistedState() async throws {
        let (chain, database, _) = try stores("follower", committed: 20)
        try chain.persist(try PersistedState(states[20]), sealedBy: database)
        try commit(21...30, to: chain)
        try chain.prune(through: 20)
        try FileManager.default.removeItem(atPath: chain.archivePath)
        let follower = try LogFollower(configuration: scene.configuration, identity: scene.identities[0], votes: database, chain: chain,
                                       gateway: GatewayClient(baseURL: "http://127.0.0.1:9", client: HTTPClient.shared),
                                       logger: Logger(label: "test"))
        #expect(await follower.governance.digest == states[30].digest)
        #expect(await follower.head.height == 30)
    }
}

/// The state's persisted text: what a snapshot holds, to look into in a test.
func canonicalStateText(_ state: ReplicatedState) -> String {
    String(decoding: (try? PersistedState(state))?.encoded ?? [], as: UTF8.self)
}
