import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosState
import CustosTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// One gateway and four signer nodes (n = 4, f = 1, q = 3) as real processes on 127.0.0.1:
/// entries commit at the same heights on every node; a killed node catches up by certificates;
/// a gateway killed with SIGKILL loses no committed entry and re-sends the same proposal; bad
/// requests get 4xx problems and change nothing. Each test runs with the gateway on SQLite and on
/// PostgreSQL (a throwaway server on 127.0.0.1). Every wait is bounded; every process is killed
/// at the end, also on failure.
// Half a turn: alone, its turn kept the CPU 48 % busy (make test, 2026-12-08).
@Suite(.halfExclusiveProcesses, .serialized, .timeLimit(.minutes(5)))
struct ClusterLoopbackTests {
    @Test(arguments: StoreBackend.allCases)
    func entriesCommitEverywhereAndSurviveRestarts(backend: StoreBackend) async throws {
        try await SharedDatabase.with(backend) { database in try await entriesCommitEverywhereAndSurviveRestarts(database) }
    }

    func entriesCommitEverywhereAndSurviveRestarts(_ shared: SharedDatabase) async throws {
        let database = shared.url
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway(database: database)
        for id in cluster.nodeIDs { try cluster.startNode(id) }

        // 1. Entries commit on all four nodes, at the same heights, in the same chain.
        let first = (1...5).map { "first-\($0)" }
        var receipts: [String: EntryReceipt] = [:]
        for p in first {
            let r = try await cluster.submitNote(p)
            #expect(r.status == .accepted)
            receipts[try TestNote.key(p)] = try JSONDecoder().decode(EntryReceipt.self, from: r.body)
        }
        let keys = try first.map { try TestNote.key($0) }
        let statuses = try await cluster.waitUntil(cluster.nodeIDs) { s in
            s.values.allSatisfy { status in keys.allSatisfy { status.entryHeights[$0] != nil } }
        }
        let reference = try #require(statuses["node-1"])
        for id in cluster.nodeIDs {
            #expect(statuses[id]?.chain == reference.chain, "\(id) has another chain")
            for k in keys { #expect(statuses[id]?.entryHeights[k] == reference.entryHeights[k]) }
        }
        #expect(reference.blocks.allSatisfy { $0.voters.count >= 3 })
        // The submitter learns where its entry committed (long poll on its digest).
        for (key, receipt) in receipts {
            let r = try await cluster.get("/v1/entries/\(receipt.entry)?wait=10000", timeout: .seconds(15))
            #expect(r.status == .ok)
            let committed = try JSONDecoder().decode(EntryCommitted.self, from: r.body)
            #expect(committed.height == reference.entryHeights[key] && committed.entry == receipt.entry)
        }

        // 2. A node killed with SIGKILL misses blocks (q = 3 still commit), then catches up.
        cluster.killNode("node-4", signal: SIGKILL)
        let second = (1...3).map { "second-\($0)" }
        for p in second { _ = try await cluster.submitNote(p) }
        let secondKeys = try second.map { try TestNote.key($0) }
        let three = Array(cluster.nodeIDs.prefix(3))
        _ = try await cluster.waitUntil(three) { s in s.values.allSatisfy { st in secondKeys.allSatisfy { st.entryHeights[$0] != nil } } }
        try cluster.startNode("node-4")
        let caughtUp = try await cluster.waitUntil(cluster.nodeIDs) { s in
            let chains = Set(s.values.map(\.chain))
            return chains.count == 1 && secondKeys.allSatisfy { s["node-4"]?.entryHeights[$0] != nil }
        }
        let committedHeight = try #require(caughtUp["node-1"]).height

        // 3. The gateway persists a proposal before sending it: with every node stopped, the
        // proposal fetched before a SIGKILL is the one served after the restart.
        for id in cluster.nodeIDs { cluster.killNode(id, signal: SIGTERM) }
        _ = try await cluster.submitNote("third")
        let before = try await cluster.get("/v1/proposals/next?after=\(committedHeight)")
        #expect(before.status == .ok)
        let proposalBefore = try JSONDecoder().decode(ProposalMessage.self, from: before.body)
        #expect(proposalBefore.height == committedHeight + 1)
        // With the nodes stopped, `custos node status` prints what the tests read in process.
        #expect(try await cluster.statusFromCommand("node-1") == NodeStatusView.read(data: cluster.nodeData("node-1")))
        cluster.killGateway(signal: SIGKILL)
        try await cluster.startGateway(database: database)
        let after = try await cluster.get("/v1/proposals/next?after=\(committedHeight)")
        #expect(after.status == .ok)
        let proposalAfter = try JSONDecoder().decode(ProposalMessage.self, from: after.body)
        #expect(proposalAfter.block == proposalBefore.block, "a restarted gateway proposed a different block at one height")
        // No committed block was lost.
        for height in 1...committedHeight {
            let r = try await cluster.get("/v1/blocks/\(height)")
            #expect(r.status == .ok, "block \(height) lost after SIGKILL")
        }
        let health = try JSONDecoder().decode(GatewayHealth.self, from: try await cluster.get("/health").body)
        #expect(health.committedHeight == committedHeight)
        #expect(health.pendingHeight == committedHeight + 1)
        let metrics = String(decoding: try await cluster.get("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("custos_gateway_committed_height \(committedHeight)\n"))

        // The nodes restart, resume from their databases and commit the re-sent proposal.
        for id in cluster.nodeIDs { try cluster.startNode(id) }
        let thirdKey = try TestNote.key("third")
        let final = try await cluster.waitUntil(cluster.nodeIDs) { s in
            Set(s.values.map(\.chain)).count == 1 && s.values.allSatisfy { $0.entryHeights[thirdKey] == committedHeight + 1 }
        }
        #expect(final["node-1"]?.height == committedHeight + 1)
        // The blocks are where the backend says: in PostgreSQL, and no SQLite file beside them.
        let sqlite = FileManager.default.fileExists(atPath: cluster.gatewayData.appendingPathComponent("gateway.sqlite").path)
        #expect(sqlite == (shared.backend == .sqlite))
        if let server = shared.server {
            #expect(try await server.psql("SELECT max(height) FROM committed_block", database: "gateway") == "\(committedHeight + 1)\n")
        }
        passed = true
    }

    /// A gateway that shows two nodes a different block at height 1 (test hook): the real block
    /// gets only two valid votes (q = 3), the other is never counted, so neither commits; the two
    /// nodes, shown the real block afterwards, raise the equivocation alert, do not vote again, and
    /// halt their signing (`custos node status` shows why).
    /// By evidence, not pauses: node-3 and node-4 recorded their votes (for the other block)
    /// before node-1 and node-2 start; node-1 and node-2 recorded theirs for the real block and
    /// the gateway holds both without a certificate; node-3's and node-4's records still hold
    /// their one vote, and every node reports height 0.
    @Test(arguments: StoreBackend.allCases)
    func anEquivocatingGatewayGetsNothingCommittedAndNodesAlert(backend: StoreBackend) async throws {
        try await SharedDatabase.with(backend) { database in try await anEquivocatingGatewayGetsNothingCommitted(database.url) }
    }

    func anEquivocatingGatewayGetsNothingCommitted(_ database: String?) async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        defer { cluster.stopAll() }
        try await cluster.startGateway(database: database, extraArguments: ["--unsafe-test-equivocate-to", "node-3,node-4"])
        // The proposal exists before the nodes ask, so node-3 and node-4 see the conflicting block first.
        _ = try await cluster.submitNote("contested")
        for id in ["node-3", "node-4"] { try cluster.startNode(id) }
        let misled = try await cluster.waitForRecordedVotes(["node-3", "node-4"], height: 1)
        for id in ["node-1", "node-2"] { try cluster.startNode(id) }
        for id in ["node-3", "node-4"] { try await cluster.waitForLog(id, containing: "gateway equivocation") }
        try await cluster.expectHeldWithoutQuorum(try await cluster.waitForRecordedVotes(["node-1", "node-2"], height: 1))
        #expect(try await cluster.get("/v1/blocks/1").status.code == 404)
        for id in ["node-3", "node-4"] {
            #expect(try cluster.recordedVotes(id).map(\.vote) == [misled[id]], "\(id) voted again at height 1")
        }
        for id in cluster.nodeIDs { #expect(try await cluster.status(id).height == 0, "\(id) committed a contested block") }
        // The two nodes holding the proof halt their signing and say so until an operator acts; the others sign.
        for id in cluster.nodeIDs {
            let halts = try await cluster.status(id).signingHalts
            if ["node-3", "node-4"].contains(id) {
                #expect(halts.map(\.cause) == ["gateway-equivocation"] && halts.first?.reason.contains("height 1") == true, "\(id): \(halts)")
            } else {
                #expect(halts.isEmpty, "\(id) halted without holding any proof")
            }
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func badRequestsGetProblemsAndChangeNothing(backend: StoreBackend) async throws {
        try await SharedDatabase.with(backend) { database in try await badRequestsGetProblems(database.url) }
    }

    func badRequestsGetProblems(_ database: String?) async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        defer { cluster.stopAll() }
        try await cluster.startGateway(database: database)

        func expectProblem(_ result: LocalCluster.HTTPResult, status: UInt, code: String) throws {
            #expect(result.status.code == status, "expected \(status) for \(code), got \(result.status)")
            let problem = try JSONDecoder().decode(Problem.self, from: result.body)
            #expect(problem.code == code)
            #expect(!problem.title.isEmpty && !problem.detail.isEmpty)
        }
        try expectProblem(try await cluster.post("/v1/entries", body: Data("{not json".utf8)), status: 400, code: "entry.malformed-json")
        try expectProblem(try await cluster.post("/v1/entries", body: Data(#"{"kind":"a.b","payload":"AA==","admin":true}"#.utf8)),
                          status: 400, code: "entry.unknown-field")
        try expectProblem(try await cluster.post("/v1/entries", body: Data(#"{"kind":"a.b"}"#.utf8)), status: 400, code: "entry.malformed-json")
        try expectProblem(try await cluster.post("/v1/entries", body: Data(#"{"kind":"a.b","payload":"%%%"}"#.utf8)),
                          status: 422, code: "entry.invalid")
        try expectProblem(try await cluster.post("/v1/entries", body: Data(#"{"kind":"has space","payload":"AA=="}"#.utf8)),
                          status: 422, code: "entry.invalid")
        let huge = Data(#"{"kind":"a.b","payload":""#.utf8) + Data(repeating: UInt8(ascii: "A"), count: 1 << 20) + Data(#""}"#.utf8)
        try expectProblem(try await cluster.post("/v1/entries", body: huge), status: 413, code: "request.too-large")
        try expectProblem(try await cluster.post("/v1/votes", body: Data(#"{"vote":"AAAA"}"#.utf8)), status: 400, code: "vote.malformed")
        try expectProblem(try await cluster.get("/v1/blocks/1"), status: 404, code: "block.not-found")
        // Unknown paths and methods a path does not take: problem JSON too, not an empty 404.
        try expectProblem(try await cluster.get("/v1/nonsense"), status: 404, code: "route.not-found")
        try expectProblem(try await cluster.post("/v1/cluster", body: Data("{}".utf8)), status: 405, code: "route.method-not-allowed")
        try expectProblem(try await cluster.get("/v2/%1B%5B2J"), status: 404, code: "route.not-found")
        try expectProblem(try await cluster.get("/v1/proposals/next"), status: 400, code: "proposal.bad-height")
        for wait in ["abc", "-1", "25001", "99999999999999999999"] {
            try expectProblem(try await cluster.get("/v1/blocks/1?wait=\(wait)"), status: 400, code: "request.bad-wait")
        }
        try expectProblem(try await cluster.get("/v1/proposals/next?after=0&wait=1.5"), status: 400, code: "request.bad-wait")
        try expectProblem(try await cluster.get("/v1/entries/zz"), status: 400, code: "entry.bad-digest")
        try expectProblem(try await cluster.get("/v1/entries/\(String(repeating: "ab", count: 33))"), status: 400, code: "entry.bad-digest")
        try expectProblem(try await cluster.get("/v1/entries/\(String(repeating: "ab", count: 32))?wait=100"), status: 404,
                          code: "entry.not-committed")

        // A long poll whose client hangs up is released (not held for its whole wait).
        await #expect(throws: HTTPClientError.deadlineExceeded) { try await cluster.get("/v1/blocks/5?wait=25000", timeout: .milliseconds(300)) }
        var waiting = -1
        let deadline = ContinuousClock.now + TestPatience.standard
        while ContinuousClock.now < deadline {
            let metrics = String(decoding: try await cluster.get("/metrics").body, as: UTF8.self)
            waiting = metrics.split(separator: "\n").first { $0.hasPrefix("custos_gateway_waiting_requests ") }
                .flatMap { Int($0.split(separator: " ")[1]) } ?? -1
            if waiting == 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(waiting == 0, "a long poll stayed parked after its client disconnected")

        // Governance: malformed, unknown fields, bad encodings, undecodable proposals, oversized.
        let credential = try cluster.credential("erin")
        let genesis = try await cluster.genesisDigest()
        var erin = credential
        let proposal = GovernanceProposal(id: "op-1", proposer: "erin", change: .addUser(id: "dave", roles: ["trader"]))
        let assertion = AssertionMessage(erin.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin,
                                                           challenge: proposal.challenge(.propose, genesisDigest: genesis)))
        let good = try JSONEncoder().encode(ProposeMessage(proposal: proposal, assertion: try assertion.decoded()))
        var object = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
        object["extra"] = 1
        try expectProblem(try await cluster.post("/v1/operations", body: try JSONSerialization.data(withJSONObject: object)),
                          status: 400, code: "operation.unknown-field")
        var nested = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
        var nestedAssertion = try #require(nested["assertion"] as? [String: Any])
        nestedAssertion["type"] = "public-key"
        nested["assertion"] = nestedAssertion
        try expectProblem(try await cluster.post("/v1/operations", body: try JSONSerialization.data(withJSONObject: nested)),
                          status: 400, code: "operation.unknown-field")
        try expectProblem(try await cluster.post("/v1/operations", body: Data("[]".utf8)), status: 400, code: "operation.malformed-json")
        var truncated = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
        truncated["proposal"] = Data(proposal.encoded.dropLast()).base64EncodedString()
        try expectProblem(try await cluster.post("/v1/operations", body: try JSONSerialization.data(withJSONObject: truncated)),
                          status: 422, code: "operation.invalid")
        var badAssertion = try #require(try JSONSerialization.jsonObject(with: good) as? [String: Any])
        var fields = try #require(badAssertion["assertion"] as? [String: Any])
        fields["signature"] = "***"
        badAssertion["assertion"] = fields
        try expectProblem(try await cluster.post("/v1/operations", body: try JSONSerialization.data(withJSONObject: badAssertion)),
                          status: 422, code: "operation.invalid")
        // An operation id every node would refuse to read (not printable ASCII) never reaches a block.
        let unreadable = GovernanceProposal(id: "op one", proposer: "erin", change: .freeze)
        let unreadableBody = try JSONEncoder().encode(ProposeMessage(
            proposal: unreadable, assertion: erin.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin,
                                                              challenge: unreadable.challenge(.propose, genesisDigest: genesis))))
        try expectProblem(try await cluster.post("/v1/operations", body: unreadableBody), status: 422, code: "entry.inadmissible")
        try expectProblem(try await cluster.post("/v1/operations", body: Data(repeating: UInt8(ascii: " "), count: 400 * 1024)),
                          status: 413, code: "request.too-large")
        try expectProblem(try await cluster.post("/v1/operations/op-1/approvals", body: Data(#"{"user":"frank"}"#.utf8)),
                          status: 400, code: "decision.malformed-json")
        try expectProblem(try await cluster.get("/v1/operations/op-1"), status: 404, code: "operation.not-found")
        try expectProblem(try await cluster.get("/v1/operations?status=maybe"), status: 400, code: "operation.bad-status")
        try expectProblem(try await cluster.get("/v1/users/nobody"), status: 404, code: "user.not-found")
        try expectProblem(try await cluster.get("/v1/blocks?limit=0"), status: 400, code: "block.bad-limit")
        let operations: [OperationView] = try await cluster.getJSON("/v1/operations")
        #expect(operations.isEmpty)

        let health = try JSONDecoder().decode(GatewayHealth.self, from: try await cluster.get("/health").body)
        #expect(health.queuedEntries == 0)
        #expect(health.committedHeight == 0)
        #expect(health.pendingHeight == nil)
    }
}
