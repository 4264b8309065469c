import AsyncHTTPClient
import Crypto
import CustosLedger
import CustosNode
@testable import CustosNodeService
import Foundation
import Logging
import Testing

/// A signer node restarted after a crash between recording its vote and sending it: it never
/// votes for a second block at that height, and re-sends the recorded vote for the same block.
struct SignerNodeTests {
    @Test func aNodeRestartedMidVoteNeverVotesTwiceAtOneHeight() async throws {
        let identities = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init()) }
        let now: UInt64 = 1_700_000_000_000
        let configuration = try TestGenesis().configuration(identities, genesisTimestamp: now - 1_000)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let votesPath = folder.appendingPathComponent("votes.sqlite").path
        let chainPath = folder.appendingPathComponent("chain.sqlite").path
        let a = try Block(height: 1, previousHash: configuration.genesisDigest, timestamp: now, entries: [try Entry(kind: "k", payload: [1])])
        let b = try Block(height: 1, previousHash: configuration.genesisDigest, timestamp: now, entries: [try Entry(kind: "k", payload: [2])])
        // Never contacted: `decide` does no I/O but the vote record.
        let gateway = GatewayClient(baseURL: "http://127.0.0.1:9", client: HTTPClient.shared)

        func startNode() throws -> SignerNode {
            try SignerNode(configuration: configuration, identity: identities[0], votes: try NodeDatabase(path: votesPath),
                           chain: try NodeChainStore(path: chainPath), gateway: gateway, logger: Logger(label: "test"))
        }
        let first = try startNode()
        let voteA = try #require(try await first.decide(a, now: now))
        // "Crash" here: the vote is on record but was never sent.

        let restarted = try startNode()
        #expect(try await restarted.decide(b, now: now) == nil, "voted for a second block at height 1 after a restart")
        #expect(try await restarted.decide(a, now: now) == voteA)
        let vote = try Vote(serialized: voteA)
        #expect(vote.blockHash == a.hash && vote.height == 1)
        try vote.verify(in: configuration)
    }

    /// A gateway restarted long after a proposal (beyond the nodes' tolerance for block age) can
    /// still finish it: a node that recorded a vote for that very block re-sends it however old
    /// the block is (it does not decide again), while a node that never voted for it still holds
    /// it to the clock.
    @Test func aRecordedVoteIsResentForTheSameBlockHoweverOldItIs() async throws {
        let identities = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init()) }
        let now: UInt64 = 1_700_000_000_000
        let configuration = try TestGenesis().configuration(identities, genesisTimestamp: now - 1_000)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-node-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let block = try Block(height: 1, previousHash: configuration.genesisDigest, timestamp: now, entries: [try Entry(kind: "k", payload: [1])])
        let gateway = GatewayClient(baseURL: "http://127.0.0.1:9", client: HTTPClient.shared)
        func node(_ index: Int) throws -> SignerNode {
            let path = folder.appendingPathComponent("node-\(index)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return try SignerNode(configuration: configuration, identity: identities[index],
                                  votes: try NodeDatabase(path: path + "/votes.sqlite"), chain: try NodeChainStore(path: path + "/chain.sqlite"),
                                  gateway: gateway, logger: Logger(label: "test"))
        }
        let vote = try #require(try await node(0).decide(block, now: now))
        let anHourLater = now + 3_600_000
        #expect(try await node(0).decide(block, now: anHourLater) == vote, "a restarted node did not re-send its recorded vote")
        #expect(try await node(1).decide(block, now: anHourLater) == nil, "a node voted for a block outside its clock tolerance")
    }
}
