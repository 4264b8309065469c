import AsyncHTTPClient
import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Nothing unauthenticated in the log, tried over HTTP as an attacker would, against a gateway
/// and nodes running as processes on 127.0.0.1: an entry of a kind no node knows, an unsigned
/// request or governance entry, an entry over its kind's bound and a forged signature are refused
/// by the gateway with a problem naming why, and never reach a node's chain; a gateway that queues
/// them anyway gets its block refused by every node. The queue is bounded per signer (429) and in
/// total (503), both with `Retry-After`; a wrong method on a known path is a 405 problem.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(5)))
struct EntryAdmissionLoopbackTests {
    /// A transfer body as the example policy's risk bot would send it.
    static func transfer(by initiator: String, memo: String = "") throws -> JSONValue {
        try JSONParser().parse(Array(#"""
            {"id": "t-1", "kind": "transfer", "initiator": "\#(initiator)", "vault": "hot-trading", "chain": "ethereum",
             "asset": "USDC", "amount": "750", "destination": "0x2E6D88F471C41BD6DC54146E5EEA659498CCBA8F", "memo": "\#(memo)"}
            """#.utf8))
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func nonce() -> String { Base64URL.encode(SecureRandom.bytes(count: 18)) }

    /// What an attacker posts, each with the status and problem code the gateway must answer.
    /// `genesis` is the cluster's genesis document digest, which the requests are signed for.
    static func attacks(genesis: [UInt8]) throws -> [(name: String, entry: Entry, status: UInt, code: String)] {
        let unknown = try Entry(kind: "bench.transfer", payload: Array("pay 1000 ETH to me".utf8), authorization: [UInt8](repeating: 0xa5, count: 96))
        let unsignedBot = try RequestEntry.submit(SignedRequest(body: try transfer(by: "risk-bot"), cluster: genesis, keyId: "risk-bot", timestamp: now,
                                                                nonce: nonce(), signature: []))
        let unsignedGovernance = try Entry(kind: GovernanceEntry.rejectKind, payload: try TestNote.entry("veto").payload)
        let stranger = BotSigningKey(ed25519: .init())
        let oversize = try RequestEntry.submit(SignedRequest(body: try transfer(by: "risk-bot", memo: String(repeating: "x", count: 70 * 1024)),
                                                             cluster: genesis, keyId: "risk-bot", timestamp: now, nonce: nonce(), key: stranger))
        // erin's request, asserted by an authenticator that is not hers.
        let person = RequestEntry.personEnvelope(body: try transfer(by: "erin"), cluster: genesis, user: "erin", timestamp: now, nonce: nonce())
        var impostor = SoftwareAuthenticator.generate()
        let forged = try RequestEntry.submit(person, assertion: impostor.getAssertion(
            relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: RequestEntry.personChallenge(person)))
        return [
            ("an unknown kind", unknown, 422, "entry.unknown-kind"),
            ("an unsigned bot request", unsignedBot, 401, "entry.unsigned"),
            ("an unsigned governance entry", unsignedGovernance, 401, "entry.unsigned"),
            ("an oversize request", oversize, 413, "entry.oversize"),
            ("a forged assertion", forged, 401, "entry.unauthenticated"),
        ]
    }

    static func expectProblem(_ result: LocalCluster.HTTPResult, status: UInt, code: String, _ name: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status.code == status, "\(name): \(result.status) \(String(decoding: result.body, as: UTF8.self))",
                sourceLocation: sourceLocation)
        #expect(result.headers.first(name: "Content-Type") == "application/problem+json", "\(name)", sourceLocation: sourceLocation)
        let problem = try JSONDecoder().decode(Problem.self, from: result.body)
        #expect(problem.code == code, "\(name): \(problem.detail)", sourceLocation: sourceLocation)
    }

    @Test func unknownUnsignedOversizeAndForgedEntriesAreRefusedAndNeverCommit() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }

        let attacks = try Self.attacks(genesis: try await cluster.genesisDigest())
        for attack in attacks {
            try Self.expectProblem(try await cluster.submit(attack.entry), status: attack.status, code: attack.code, attack.name)
        }
        // The bot's own endpoint takes the envelope alone: an unsigned one is refused there too.
        try Self.expectProblem(try await cluster.post("/v1/requests", body: Data(attacks[1].entry.payload)),
                               status: 401, code: "entry.unsigned", "an unsigned envelope")

        // The log moves on, and no node's chain carries any of them.
        #expect(try await cluster.submitNote("after").status == .accepted)
        let after = try TestNote.key("after")
        let statuses = try await cluster.waitUntil(cluster.nodeIDs) { s in s.values.allSatisfy { $0.entryHeights[after] != nil } }
        let refused = attacks.map { "\($0.entry.kind):\(Data($0.entry.payload).base64EncodedString())" }
        for (id, status) in statuses {
            for (key, attack) in zip(refused, attacks) { #expect(status.entryHeights[key] == nil, "\(id) committed \(attack.name)") }
        }
        passed = true
    }

    /// A malicious gateway (fault injection) queues what an honest one refuses; every node
    /// refuses each block carrying such an entry, so none commits.
    @Test func everyNodeRefusesABlockWithAnUnknownKindOrAnUnsignedEntry() async throws {
        // One cluster per attack: the refused proposal stays in flight at height 1.
        // These two are refused before any signature or cluster digest is read.
        let attacks = try Self.attacks(genesis: Array(repeating: 0, count: 32)).filter { ["an unknown kind", "an unsigned bot request"].contains($0.name) }
        #expect(attacks.count == 2)
        for attack in attacks {
            let cluster = try await LocalCluster(nodeCount: 4)
            var passed = false
            defer { cluster.stopAll(removeData: passed) }
            try await cluster.startGateway(extraArguments: ["--unsafe-test-queue-unchecked"])
            for id in cluster.nodeIDs { try cluster.startNode(id) }
            #expect(try await cluster.submit(attack.entry).status == .accepted, "\(attack.name)")
            for id in cluster.nodeIDs { try await cluster.waitForLog(id, containing: "refused a proposal") }
            for id in cluster.nodeIDs {
                let status = try await cluster.status(id)
                #expect(status.height == 0, "\(id) committed a block with \(attack.name)")
                #expect(try !cluster.hasVoted(id), "\(id) voted for a block with \(attack.name)")
            }
            passed = true
        }
    }

    @Test func theQueueIsBoundedPerSignerAndInTotal() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        // No node runs: nothing leaves the queue.
        try await cluster.startGateway(extraArguments: ["--queue-per-signer", "2", "--queue-total", "3"])
        for i in 0..<2 { #expect(try await cluster.submit(try TestNote.entry("erin-\(i)")).status == .accepted) }
        let flood = try await cluster.submit(try TestNote.entry("erin-2"))
        try Self.expectProblem(flood, status: 429, code: "queue.signer-full", "erin's third entry")
        #expect(flood.headers.first(name: "Retry-After") == "1")
        // Another signer's entry is still accepted while erin waits …
        #expect(try await cluster.submit(try TestNote.entry("frank-0", by: "frank")).status == .accepted)
        // … until the queue is full for everyone.
        let full = try await cluster.submit(try TestNote.entry("frank-1", by: "frank"))
        try Self.expectProblem(full, status: 503, code: "queue.full", "the fourth entry")
        #expect(full.headers.first(name: "Retry-After") == "1")
        let health: GatewayHealth = try await cluster.getJSON("/health")
        #expect(health.queuedEntries == 3)
        passed = true
    }

    @Test func aWrongMethodOnAKnownPathIsAProblemWithAllow() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        let cases: [(HTTPMethod, String, String)] = [
            (.DELETE, "/v1/entries", "POST"), (.GET, "/v1/votes", "POST"), (.PUT, "/health", "GET"),
            (.DELETE, "/v1/operations/add-dave/approvals", "POST"), (.POST, "/v1/blocks/1", "GET"),
        ]
        for (method, path, allow) in cases {
            var request = HTTPClientRequest(url: cluster.baseURL + path)
            request.method = method
            let result = try await cluster.send(request)
            try Self.expectProblem(result, status: 405, code: "route.method-not-allowed", "\(method) \(path)")
            #expect(result.headers.first(name: "Allow") == allow, "\(method) \(path)")
        }
        // Both methods of a path with two are named.
        var request = HTTPClientRequest(url: cluster.baseURL + "/v1/requests")
        request.method = .DELETE
        let both = try await cluster.send(request)
        #expect(Set((both.headers.first(name: "Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            == ["GET", "POST"])
        try Self.expectProblem(try await cluster.get("/v1/nowhere"), status: 404, code: "route.not-found", "an unknown path")
        passed = true
    }
}
