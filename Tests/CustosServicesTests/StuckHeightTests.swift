import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosTestSupport
import Foundation
import NIOHTTP1
import Testing

/// A height that used to stick for good now recovers, end to end with real processes
/// (`NodeConsensus`, "Rounds"): two nodes vote for the proposal at height 1 (one vote short of
/// q = 3), the other two are down until that proposal is older than their `--maximum-block-age`.
/// Before rounds the two latecomers refused it as too old, and the two voters could vote for
/// nothing else at that height: the log stopped. Now the latecomers give the round up at once
/// (abstentions), the voters after `--round-timeout`, and the gateway re-proposes the same block
/// in round 1 — it might have been certified, so it is the only block allowed — which every node
/// then accepts however old. Shown by evidence: the latecomers refused it as too old, the gateway
/// logged the new round, and all four nodes commit that very block.
///
/// Part of the serialized `ClusterLoopbackTests` suite (tests that spawn long-running processes
/// must not run beside each other).
extension ClusterLoopbackTests {
    @Test func aProposalTooOldForTheLatecomersIsProposedAgainInANewRoundAndCommits() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        defer { cluster.stopAll() }
        try await cluster.startGateway()
        let fast = ["--round-timeout", "2", "--maximum-block-age", "5"]
        #expect(try await cluster.submitNote("stuck").status == .accepted)
        for id in ["node-1", "node-2"] { try cluster.startNode(id, extraArguments: fast) }
        let early = try await cluster.waitForRecordedVotes(["node-1", "node-2"], height: 1)
        try await cluster.expectHeldWithoutQuorum(early)
        let proposal = try JSONDecoder().decode(ProposalMessage.self, from: try await cluster.get("/v1/proposals/next?after=0").body)
        let block = try proposal.decoded()
        #expect(proposal.round == nil, "the first proposal is in round 0")
        // The two voters give round 0 up; their round changes alone (2 of q = 3) justify nothing.
        for id in ["node-1", "node-2"] { try await cluster.waitForLog(id, containing: "gave up a round") }
        // Until the proposal is older than the latecomers accept.
        while UInt64(Date().timeIntervalSince1970 * 1000) < block.timestamp + 6_000 { try await Task.sleep(for: .milliseconds(200)) }

        for id in ["node-3", "node-4"] { try cluster.startNode(id, extraArguments: fast) }
        let statuses = try await cluster.waitUntil(cluster.nodeIDs) { s in s.values.allSatisfy { $0.height == 1 } }
        // The first latecomer to ask is shown round 0 and refuses it as too old; the other may see round 1 already.
        #expect(["node-3", "node-4"].contains { cluster.log($0).contains("behind this node's clock") }, "no latecomer found the proposal too old")
        #expect(cluster.log("gateway").contains("proposed in a new round"))
        for id in cluster.nodeIDs {
            #expect(statuses[id]?.blocks.first?.hash == block.hash.hex, "\(id) committed another block than the one proposed in round 0")
        }
        let certified = try JSONDecoder().decode(CertifiedBlockMessage.self, from: try await cluster.get("/v1/blocks/1").body).decoded()
        #expect(certified.block == block && certified.certificate.round >= 1)
        // Every node voted once in round 0 at most, and the voters of round 0 kept their round-0 votes.
        for id in ["node-1", "node-2"] {
            #expect(try cluster.recordedVotes(id).allSatisfy { $0.blockHash == block.hash.bytes }, "\(id) voted for another block")
        }
        #expect(!cluster.log("gateway").contains("flagged"), "the gateway flagged a vote or a round change")
    }
}
