import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosTestSupport
import Foundation
import NIOHTTP1
import Testing

/// "A node killed mid-vote never votes twice at one height", end to end with real processes:
/// a node that exits abruptly between recording its vote and sending it (hidden test flag
/// `--unsafe-test-exit-after-recording-vote-at`) refuses, after a restart, a different block at
/// that height, and re-sends the very same vote for the same block so the cluster still commits;
/// a node SIGKILLed over and over while blocks commit only ever recorded votes for the blocks
/// that committed, and the gateway never saw a conflicting vote from it.
///
/// Part of the serialized `ClusterLoopbackTests` suite: tests that spawn long-running processes
/// must not run beside each other (a child spawned concurrently inherits another test's pipe and
/// holds it open).
extension ClusterLoopbackTests {
    static let exitStatus: Int32 = 86  // NodeFaultInjection.exitStatus

    /// The equivocating gateway (test hook) shows node-4 a conflicting block B first; node-4
    /// records its vote for B and dies before sending it. Restarted, it is shown the real block A
    /// and must not vote: with node-1, node-2 and node-4 up, one vote from node-4 would complete
    /// q = 3, so nothing may commit until node-3 joins. Shown by evidence, not by a pause: node-4
    /// raised the alert (it has seen A), node-1 and node-2 recorded their votes for A and the
    /// gateway holds both, yet A is not certified; node-4's records still hold only its vote for
    /// B; and once node-3 votes, A commits with node-1, node-2 and node-3.
    @Test func aNodeKilledMidVoteAndShownAnotherBlockNeverVotesAgainAtThatHeight() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        defer { cluster.stopAll() }
        try await cluster.startGateway(extraArguments: ["--unsafe-test-equivocate-to", "node-4"])
        #expect(try await cluster.submitNote("contested").status == .accepted)

        try cluster.startNode("node-4", extraArguments: ["--unsafe-test-exit-after-recording-vote-at", "1"])
        #expect(try await cluster.waitForExit("node-4") == Self.exitStatus)
        let before = try cluster.recordedVotes("node-4")
        #expect(before.map(\.height) == [1])
        let real = try JSONDecoder().decode(ProposalMessage.self, from: try await cluster.get("/v1/proposals/next?after=0").body).decoded()
        let votedFor = try #require(before.first).blockHash
        #expect(votedFor != real.hash.bytes, "the hook did not show node-4 the conflicting block first")

        try cluster.startNode("node-4")
        try await cluster.waitForLog("node-4", containing: "gateway equivocation")
        for id in ["node-1", "node-2"] { try cluster.startNode(id) }
        let honest = try await cluster.waitForRecordedVotes(["node-1", "node-2"], height: 1)
        try await cluster.expectHeldWithoutQuorum(honest)
        #expect(try cluster.recordedVotes("node-4").map(\.blockHash) == [votedFor], "node-4 recorded a second vote at height 1")

        try cluster.startNode("node-3")
        let statuses = try await cluster.waitUntil(cluster.nodeIDs) { s in s.values.allSatisfy { $0.height == 1 } }
        #expect(Set(try #require(statuses["node-1"]).blocks[0].voters) == ["node-1", "node-2", "node-3"])
        #expect(statuses["node-4"]?.blocks.first?.hash == real.hash.hex, "node-4 did not apply the certified block")
        cluster.killNode("node-4", signal: SIGTERM)
        let after = try cluster.recordedVotes("node-4")
        #expect(after.map(\.height) == [1] && after.first?.blockHash == votedFor)
        #expect(!cluster.log("gateway").contains("flagged vote"), "the gateway received a vote for the conflicting block")
    }

    /// node-4 records its vote for block 1 and dies before sending it; node-2 and node-3 alone
    /// cannot commit (q = 3): the gateway holds both their votes and no certificate. Restarted,
    /// node-4 re-sends the recorded vote — the same signed bytes — and the block commits with it.
    @Test func aNodeKilledMidVoteResendsTheSameVoteAndTheClusterCommits() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        defer { cluster.stopAll() }
        try await cluster.startGateway()
        #expect(try await cluster.submitNote("resent").status == .accepted)

        try cluster.startNode("node-4", extraArguments: ["--unsafe-test-exit-after-recording-vote-at", "1"])
        #expect(try await cluster.waitForExit("node-4") == Self.exitStatus)
        let recorded = try #require(try cluster.recordedVotes("node-4").first)
        let proposal = try JSONDecoder().decode(ProposalMessage.self, from: try await cluster.get("/v1/proposals/next?after=0").body).decoded()
        #expect(recorded.height == 1 && recorded.blockHash == proposal.hash.bytes)

        for id in ["node-2", "node-3"] { try cluster.startNode(id) }
        try await cluster.expectHeldWithoutQuorum(try await cluster.waitForRecordedVotes(["node-2", "node-3"], height: 1))
        #expect(try await cluster.get("/v1/blocks/1").status == .notFound, "committed without node-4's vote")

        try cluster.startNode("node-4")
        _ = try await cluster.waitUntil(["node-2", "node-3", "node-4"]) { s in s.values.allSatisfy { $0.height == 1 } }
        let certified = try JSONDecoder().decode(CertifiedBlockMessage.self, from: try await cluster.get("/v1/blocks/1").body).decoded()
        #expect(certified.block.hash == proposal.hash)
        let counted = try #require(certified.certificate.votes.first { $0.voter.rawValue == "node-4" }, "node-4's vote is not in the certificate")
        #expect(counted.serialized == recorded.vote, "node-4 sent another vote than the one it recorded")
        cluster.killNode("node-4", signal: SIGTERM)
        #expect(try cluster.recordedVotes("node-4").map(\.height) == [1])
    }

    /// node-4 is SIGKILLed and restarted a dozen times while entries keep committing; node-1 is
    /// down meanwhile, so every block needs node-4's vote and the kills land around its votes.
    /// Each pause before a kill starts once node-4 runs again (a loaded machine may take longer
    /// than the pause to start it) and comes from a seeded generator whose seed is printed (set
    /// `CUSTOS_TEST_SEED` to replay one). A last entry commits while node-1 is still down, so
    /// node-4 surely voted. Afterwards every vote it recorded is for the block that committed at
    /// that height (one per height by construction of its database), the gateway flagged none of
    /// its votes, and it holds the same chain as the others.
    @Test func aNodeSIGKILLedInALoopOnlyEverVotedForTheCommittedBlocks() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        defer { cluster.stopAll() }
        try await cluster.startGateway()
        for id in ["node-2", "node-3", "node-4"] { try cluster.startNode(id) }
        let seed = ProcessInfo.processInfo.environment["CUSTOS_TEST_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
        print("aNodeSIGKILLedInALoopOnlyEverVotedForTheCommittedBlocks: seed \(seed) (CUSTOS_TEST_SEED=\(seed) replays it)")
        var generator = SeededGenerator(seed: seed)
        /// Waits (bounded) until node-4 has logged that it runs for the `starts`-th time.
        func running(_ starts: Int) async throws {
            let deadline = ContinuousClock.now + TestPatience.standard
            while cluster.log("node-4").components(separatedBy: "node running").count - 1 < starts {
                guard ContinuousClock.now < deadline else { throw TestEnvironmentError("node-4 did not start (seed \(seed))") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        try await running(1)
        for round in 0..<12 {
            for i in 0..<3 { _ = try await cluster.submitNote("round-\(round)-\(i)") }
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...700, using: &generator)))
            cluster.killNode("node-4", signal: SIGKILL)
            try cluster.startNode("node-4")
            try await running(round + 2)
        }
        // Committed by node-2, node-3 and node-4 alone (q = 3): node-4 voted for it.
        let last = try TestNote.key("last")
        _ = try await cluster.submitNote("last")
        _ = try await cluster.waitUntil(["node-2", "node-3", "node-4"]) { s in s.values.allSatisfy { $0.entryHeights[last] != nil } }
        try cluster.startNode("node-1")
        let statuses = try await cluster.waitUntil(cluster.nodeIDs) { s in
            Set(s.values.map(\.chain)).count == 1 && s.values.allSatisfy { $0.entryHeights[last] != nil }
        }
        cluster.killNode("node-4", signal: SIGKILL)
        let committed = Dictionary(uniqueKeysWithValues: try #require(statuses["node-1"]).blocks.map { ($0.height, $0.hash) })
        let votes = try cluster.recordedVotes("node-4")
        #expect(!votes.isEmpty)
        #expect(Set(votes.map(\.height)).count == votes.count)
        for vote in votes {
            #expect(committed[vote.height] == vote.blockHash.hexString, "node-4 voted for another block at height \(vote.height) (seed \(seed))")
        }
        #expect(!cluster.log("gateway").contains("flagged vote"))
    }
}
