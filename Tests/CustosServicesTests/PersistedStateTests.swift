import AsyncHTTPClient
import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
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
            let altered = try #require(replacing(Array("persisted-7".utf8), with: Array("persisted-X".utf8), in: Array(encoded)))
            try db.execute(sql: "UPDATE persistedState SET encoded = ?", arguments: [Data(altered)])
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
        for sealed in [database, nil] {
            let refused = #expect(throws: ClusterAPIError.self) { try chain.committedState(scene.configuration, sealedBy: sealed) }
            #expect(refused?.code == .stateMismatch && refused?.reason.contains("block 21") == true
                    && refused?.reason.contains("invalid certificate") == true, "\(String(describing: refused))")
        }
        // The same block certified by the members is taken: only the certificate was wrong.
        let (honest, honestDatabase, _) = try stores("honest-tail", committed: 20)
        try honest.persist(try PersistedState(states[20]), sealedBy: honestDatabase)
        try honest.append(try scene.certified(block), stateDigest: after.digest, snapshot: nil)
        #expect(try honest.committedState(scene.configuration, sealedBy: honestDatabase).digest == after.digest)
    }

    /// A snapshot of other rules (persisted before an upgrade) is not used, but the head its seal
    /// vouched for still anchors the replay: a store rewritten with another history, certified
    /// by the members' keys (as keys of members since retired could be), or cut below that head,
    /// is refused.
    @Test func theSealedHeadAnchorsTheReplayWhenTheSnapshotIsOfOtherRules() throws {
        let (chain, database, path) = try stores("upgraded", committed: 20)
        let current = try PersistedState(states[20])
        // The body's "software" member, its text rewritten in place by another version's name
        // of the same length (the tagged binary encoding: key length, key, text tag, length).
        func member(_ version: String) -> [UInt8] { [8] + Array("software".utf8) + [6, UInt8(version.utf8.count)] + Array(version.utf8) }
        let older = try #require(replacing(member(CustosVersion.current), with: member("custos 0.4.0"), in: current.encoded),
                                 "the snapshot names the software that made it")
        try chain.persist(PersistedState(height: 20, blockHash: current.blockHash, stateDigest: current.stateDigest, encoded: older),
                          sealedBy: database)
        #expect(throws: PersistedStateError(.snapshotRefused, "")) { try chain.verifiedPersistedState(sealedBy: database)?.state() }
        #expect(try chain.committedState(scene.configuration, sealedBy: database).digest == states[20].digest, "replayed")
        func rewrite(_ blocks: [CertifiedBlock]) throws { try rewriteChain(chain, at: path, with: blocks) }
        try rewrite(try scene.chain(25, tag: "rewritten"))
        let refused = #expect(throws: ClusterAPIError.self) { try chain.committedState(scene.configuration, sealedBy: database) }
        #expect(refused?.code == .untrustedHistory && refused?.reason.contains("block 20 is not the one this node's seal vouched for") == true,
                "\(String(describing: refused))")
        try rewrite(Array(blocks.prefix(15)))
        let cut = #expect(throws: ClusterAPIError.self) { try chain.committedState(scene.configuration, sealedBy: database) }
        #expect(cut?.code == .untrustedHistory && cut?.reason.contains("ends at height 15") == true, "\(String(describing: cut))")
    }

    /// The snapshot a node sealed before the encoding changed (JSON, format v1) still verifies under
    /// its seal after the upgrade (the binding's tag did not change with the format): it does not
    /// decode, the chain is replayed, and its head still anchors the replay.
    @Test func aSnapshotOfTheEarlierEncodingStillAnchorsTheReplay() throws {
        let (chain, database, path) = try stores("earlier-encoding", committed: 20)
        let current = try PersistedState(states[20])
        let earlier = Array(#"{"format":"custos.state.persisted.v1","software":"custos 0.5.0","height":20}"#.utf8)
        let snapshot = PersistedState(height: 20, blockHash: current.blockHash, stateDigest: current.stateDigest, encoded: earlier)
        // The binding as the first sealed snapshots computed it.
        var w = CanonicalWriter()
        w.append(string: "custos.state.persisted.v1")
        w.append(UInt64(20))
        w.append(lengthPrefixed: current.blockHash)
        w.append(lengthPrefixed: current.stateDigest)
        w.append(lengthPrefixed: Hashes.sha256(earlier))
        #expect(snapshot.binding == Hashes.sha256(w.bytes))
        try chain.persist(snapshot, sealedBy: database)
        let verified = try #require(try chain.verifiedPersistedState(sealedBy: database), "still vouched for by the seal")
        #expect(throws: PersistedStateError(.snapshotRefused, "")) { try verified.state() }
        #expect(try chain.committedState(scene.configuration, sealedBy: database).digest == states[20].digest, "replayed")
        try rewriteChain(chain, at: path, with: try scene.chain(25, tag: "rewritten"))
        let refused = #expect(throws: ClusterAPIError.self) { try chain.committedState(scene.configuration, sealedBy: database) }
        #expect(refused?.code == .untrustedHistory, "\(String(describing: refused))")
    }

    /// The node's chain store emptied behind its back and filled with `blocks` (each with the
    /// digest of the state it leads to), as someone who can write the disk would.
    func rewriteChain(_ chain: NodeChainStore, at path: String, with blocks: [CertifiedBlock]) throws {
        let queue = try DatabaseQueue(path: path + "/chain.sqlite")
        try queue.write { db in
            try db.execute(sql: "DELETE FROM committedBlock")
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        try queue.close()
        var state = try scene.configuration.genesisState()
        for certified in blocks {
            state.apply(certified.block)
            try chain.append(certified, stateDigest: state.digest, snapshot: nil)
        }
    }

    /// A membership change counts from the block after the one that executes it, on replay as
    /// live: node-5, added by governance in block 3, may certify block 4 but not block 3.
    @Test func aBlockIsCertifiedByTheMembersOfTheStateBeforeIt() throws {
        var genesis = try TestGenesis()
        let configuration = try genesis.configuration(scene.identities, genesisTimestamp: scene.now - 60_000)
        var state = try configuration.genesisState()
        let joiner = scene.joiner
        let member = try joiner.member()
        let proof = joiner.signDigest(ReplicatedState.membershipProofMessage(clusterName: state.clusterName, genesisDigest: state.genesisDigest, member: member))
        let proposal = GovernanceProposal(id: "add-node-5", proposer: "erin", change: .addMember(member, proof: proof), lifetimeSeconds: 3600)
        func assert(_ user: String, _ step: GovernanceProposal.Act) -> WebAuthnAssertion.Response {
            genesis.authenticators[user]!.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin,
                                                       challenge: proposal.challenge(step, genesisDigest: state.genesisDigest))
        }
        let entries = [
            try GovernanceEntry.propose(proposal, assertion: assert("erin", .propose)).entry(),
            try GovernanceEntry.approve(operationId: proposal.id, user: "frank", assertion: assert("frank", .approve), timing: nil).entry(),
            try GovernanceEntry.approve(operationId: proposal.id, user: "grace", assertion: assert("grace", .approve), timing: nil).entry(),
            try TestNote.entry("after-the-change"),
        ]
        // Blocks 1 to 4, each with the state digest after it, and the block hashes.
        var built: [(block: Block, digest: [UInt8])] = []
        var previous = configuration.genesisDigest
        for (i, entry) in entries.enumerated() {
            let block = try Block(height: UInt64(i + 1), previousHash: previous, timestamp: scene.now - 50_000 + UInt64(i) * 1_000, entries: [entry])
            state.apply(block)
            built.append((block, state.digest))
            previous = block.hash
        }
        #expect(state.members.map(\.id).contains("node-5"), "block 3 executed the change")
        func certified(_ block: Block, by voters: [NodeIdentity]) -> CertifiedBlock {
            let votes = voters.map { Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: $0) }
            return CertifiedBlock(block: block, certificate: QuorumCertificate(height: block.height, blockHash: block.hash, previousHash: block.previousHash, votes: votes))
        }
        let withJoiner = Array(scene.identities[1...3]) + [joiner]
        func store(_ name: String, certifiedBy voters: (UInt64) -> [NodeIdentity]) throws -> NodeChainStore {
            let chain = try NodeChainStore(path: try scene.stores(name) + "/chain.sqlite")
            for (block, digest) in built { try chain.append(certified(block, by: voters(block.height)), stateDigest: digest, snapshot: nil) }
            return chain
        }
        // node-5 among the voters of block 4: taken (the 5 members' quorum is 4).
        let taken = try store("joined", certifiedBy: { $0 == 4 ? withJoiner : scene.identities })
        #expect(try taken.committedState(configuration).digest == state.digest)
        // node-5 among the voters of block 3, the block that adds it: refused.
        let early = try store("joined-early", certifiedBy: { $0 == 3 ? withJoiner : scene.identities })
        let refused = #expect(throws: ClusterAPIError.self) { try early.committedState(configuration) }
        #expect(refused?.reason.contains("block 3") == true && refused?.reason.contains("invalid certificate") == true, "\(String(describing: refused))")
    }

    /// Block 1 must follow the genesis as every other block follows its predecessor: a chain
    /// whose first block names another previous hash, or is stamped before the genesis, is
    /// refused on replay.
    @Test func aFirstBlockThatDoesNotFollowTheGenesisIsRefused() throws {
        let path = try scene.stores("not-genesis")
        let chain = try NodeChainStore(path: path + "/chain.sqlite")
        let block = try Block(height: 1, previousHash: blocks[0].block.hash, timestamp: blocks[0].block.timestamp,
                              entries: [try TestNote.entry("elsewhere-1")])
        var after = states[0]
        after.apply(block)
        try chain.append(try scene.certified(block), stateDigest: after.digest, snapshot: nil)
        let refused = #expect(throws: ClusterAPIError.self) { try chain.committedState(scene.configuration) }
        #expect(refused?.code == .stateMismatch && refused?.reason.contains("previous hash") == true, "\(String(describing: refused))")
        // Nor one stamped before the genesis: the live node refuses to commit it.
        let early = try NodeChainStore(path: try scene.stores("before-genesis") + "/chain.sqlite")
        let backdated = try Block(height: 1, previousHash: scene.configuration.genesisDigest, timestamp: scene.configuration.genesisTimestamp - 1,
                                  entries: [try TestNote.entry("early-1")])
        var backdatedState = states[0]
        backdatedState.apply(backdated)
        try early.append(try scene.certified(backdated), stateDigest: backdatedState.digest, snapshot: nil)
        let refusedEarly = #expect(throws: ClusterAPIError.self) { try early.committedState(scene.configuration) }
        #expect(refusedEarly?.reason.contains("before the previous block") == true, "\(String(describing: refusedEarly))")
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

/// The state's persisted encoding read as text: what a snapshot holds, to look into in a test
/// (its strings are there as UTF-8 whole).
func canonicalStateText(_ state: ReplicatedState) -> String {
    String(decoding: (try? PersistedState(state))?.encoded ?? [], as: UTF8.self)
}

/// `bytes` with every occurrence of `pattern` replaced; nil when it does not occur.
func replacing(_ pattern: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8]? {
    var out: [UInt8] = [], i = 0, found = false
    while i < bytes.count {
        if bytes[i...].starts(with: pattern) {
            out += replacement
            i += pattern.count
            found = true
        } else {
            out.append(bytes[i])
            i += 1
        }
    }
    return found ? out : nil
}
