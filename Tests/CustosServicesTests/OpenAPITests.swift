import Crypto
import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Foundation
import Logging
import NIOHTTP1
import Testing
import Yams
@testable import CustosGateway

/// docs/openapi.yaml against the code without a network: the routes the gateway registers are
/// exactly the documented operations, node-facing ones are tagged, and the documented body
/// limits are the enforced ones.
struct OpenAPIDocumentTests {
    static let nodeFacing: Set<String> = [
        "GET /v1/proposals/next", "POST /v1/votes", "POST /v1/round-changes", "GET /v1/blocks/{height}", "POST /v1/relay/messages",
        "GET /v1/relay/inbox",
    ]

    /// A gateway for registering routes on (its handlers never run here).
    func gateway() async throws -> Gateway {
        let identities = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) }
        let configuration = try TestGenesis().configuration(identities, genesisTimestamp: 1_000)
        return try await Gateway(configuration: configuration, store: try SQLiteGatewayStore.inMemory(), logger: Logger(label: "test"))
    }

    @Test func everyRegisteredRouteIsDocumentedAndEveryDocumentedOperationIsServed() async throws {
        let recorder = RouteRecorder()
        GatewayRoutes.register(on: recorder, gateway: try await gateway())
        let registered = recorder.routes
        #expect(Set(registered).count == registered.count, "a route is registered twice: \(registered.sorted())")
        #expect(registered.count >= 20, "the recorder saw \(registered.count) routes")

        let documented = try OpenAPIDocument().operations.map(\.route)
        let undocumented = Set(registered).subtracting(documented).sorted()
        let unserved = Set(documented).subtracting(registered).sorted()
        #expect(undocumented.isEmpty, "served but not in docs/openapi.yaml: \(undocumented)")
        #expect(unserved.isEmpty, "in docs/openapi.yaml but not served: \(unserved)")
    }

    @Test func operationsAreIdentifiedTaggedAndDescribeTheirFailures() throws {
        let document = try OpenAPIDocument()
        #expect(document.root["openapi"] as? String == "3.1.0")
        let operations = document.operations
        let ids = operations.compactMap { $0.object["operationId"] as? String }
        #expect(ids.count == operations.count && Set(ids).count == ids.count, "every operation has its own operationId")
        for operation in operations {
            #expect(Self.nodeFacing.contains(operation.route) == operation.tags.contains("node-facing"),
                    "\(operation.route): tags \(operation.tags)")
            #expect(operation.responses.keys.contains { $0.hasPrefix("2") }, "\(operation.route) documents no success")
            if operation.hasRequestBody {
                // Every body is strict JSON with a size limit.
                for status in ["400", "413"] {
                    #expect(operation.responses[status] != nil, "\(operation.route) does not document \(status)")
                }
            }
        }
    }

    @Test func theDocumentedBodyLimitsAreTheEnforcedOnes() throws {
        let limits = [
            "POST /v1/entries": GatewayRoutes.maximumEntryBody,
            "POST /v1/votes": GatewayRoutes.maximumVoteBody,
            "POST /v1/round-changes": GatewayRoutes.maximumRoundChangeBody,
            "POST /v1/operations": GovernanceRoutes.maximumOperationBody,
            "POST /v1/operations/{id}/approvals": GovernanceRoutes.maximumDecisionBody,
            "POST /v1/operations/{id}/rejections": GovernanceRoutes.maximumDecisionBody,
            "POST /v1/requests": SignedRequest.maxEnvelopeLength,
            "POST /v1/prices": SignedRequest.maxEnvelopeLength,
            "POST /v1/policies/dry-run": SignedRequest.maxEnvelopeLength,
            "POST /v1/policies/replay": GovernanceRoutes.maximumReplayBody,
            "POST /v1/access-matrix": GovernanceRoutes.maximumReplayBody,
            "POST /v1/requests/{id}/approvals": GovernanceRoutes.maximumDecisionBody,
            "POST /v1/requests/{id}/rejections": GovernanceRoutes.maximumDecisionBody,
            "POST /v1/relay/messages": RelayRoutes.maximumRelayBody,
        ]
        let withBodies = try OpenAPIDocument().operations.filter(\.hasRequestBody)
        #expect(Set(withBodies.map(\.route)) == Set(limits.keys))
        for operation in withBodies {
            let limit = try #require(limits[operation.route])
            #expect(operation.description.contains("at most \(limit) bytes"), "\(operation.route) should state its limit of \(limit) bytes")
        }
    }

    /// Each entry kind's bound, as docs/openapi.yaml states it, is the one nodes enforce.
    @Test func theDocumentedEntryBoundsAreTheEnforcedOnes() throws {
        let text = try OpenAPIDocument().text
        for (name, kind) in ReplicatedState.entryKinds {
            #expect(text.contains("`\(name)` \(kind.maximumBytes)"), "docs/openapi.yaml should state \(name)'s bound of \(kind.maximumBytes) bytes")
        }
    }

    /// Path parameters are percent-decoded (operation ids may hold `/`, `#`, `%`); malformed
    /// percent-encoding is a 400 problem, not a lookup of the raw text.
    @Test func pathParametersArePercentDecoded() throws {
        #expect(try GatewayRoutes.percentDecoded("ops%2Frotate%231%25", name: "id") == "ops/rotate#1%")
        #expect(try GatewayRoutes.percentDecoded("add-dave", name: "id") == "add-dave")
        for malformed in ["%ZZ", "abc%", "%2"] {
            #expect { try GatewayRoutes.percentDecoded(malformed, name: "id") } throws: { error in
                (error as? GatewayProblem)?.problem.code == "request.bad-path"
            }
        }
    }

    /// A node-supplied height is never incremented: `after` = UInt64.max while a proposal is in
    /// flight used to trap the gateway.
    @Test func theLargestHeightDoesNotCrashTheProposalEndpoint() async throws {
        let gateway = try await gateway()
        _ = try await gateway.submit(try TestNote.entry("1"))
        let proposal = try #require(try await gateway.nextProposal(after: 0))
        #expect(proposal.height == 1)
        #expect(try await gateway.nextProposal(after: .max) == nil)
        #expect(try await gateway.nextProposal(after: 0) == proposal)
    }
}

/// The running gateway against docs/openapi.yaml: a development cluster (`custos cluster init`,
/// a gateway and four nodes as processes) with some governance history, then schemathesis with a
/// fixed seed and a bounded number of examples per operation. It fails on a 5xx, a status code,
/// content type or body the document does not describe, and on schema-violating input the
/// gateway accepts.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(5)))
struct OpenAPIConformanceTests {
    static let checks = [
        "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
        "response_headers_conformance", "negative_data_rejection",
    ]

    static func arguments(maxExamples: Int) -> [String] {
        ["--checks", checks.joined(separator: ","), "--phases", "examples,coverage,fuzzing",
         "--max-examples", "\(maxExamples)", "--seed", "20261121", "--workers", "1", "--generation-database", "none",
         "--request-timeout", "10", "--no-color"]
    }

    @Test func theGatewayConformsToItsOpenAPIDocument() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }

        // Some history for the views: a pending operation with an approval and a refusal, and one
        // read and approved through a percent-encoded path.
        let oddId = "ops-rotate.1"
        try await cluster.op(["propose", "--as", "erin", "--id", "add-dave", "add-user", "dave", "trader"])
        try await cluster.op(["propose", "--as", "erin", "--id", oddId, "assign-role", "alice", "risk"])
        _ = try await cluster.waitForGovernance { g in g.operations.count == 2 }
        // erin's approval of her own operation is committed and refused; frank's counts.
        func approve(_ path: String, as user: String, challenge: [UInt8]) async throws {
            var person = try cluster.credential(user)
            let assertion = person.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: challenge)
            let r = try await cluster.postJSON("/v1/operations/\(path)/approvals", DecisionMessage(user: user, assertion: assertion))
            #expect(r.status == .accepted, "\(user): \(String(decoding: r.body, as: UTF8.self))")
        }
        let addDave = try await cluster.proposal("add-dave")
        let genesis = try await cluster.genesisDigest()
        try await approve("add-dave", as: "erin", challenge: addDave.challenge(.approve, genesisDigest: genesis))
        try await approve("add-dave", as: "frank", challenge: addDave.challenge(.approve, genesisDigest: genesis))

        // Path parameters are percent-decoded: the id is found and approved through an encoded path.
        let encoded = "ops%2Drotate%2E1"
        let detail: OperationDetail = try await cluster.getJSON("/v1/operations/\(encoded)")
        #expect(detail.operation.id == oddId)
        try await approve(encoded, as: "grace", challenge: try await cluster.proposal(encoded).challenge(.approve, genesisDigest: genesis))
        _ = try await cluster.waitForGovernance { g in
            g.operations.first { $0.id == oddId }?.approvals == ["grace"]
                && g.operations.first { $0.id == "add-dave" }?.approvals == ["frank"]
                && g.refusals.contains { $0.code == "initiatorCannotApprove" }
        }

        // Query parameters that are not numbers are refused, not read as the default.
        try expectProblem(try await cluster.get("/v1/blocks?limit=abc"), status: 400, code: "block.bad-limit")
        try expectProblem(try await cluster.get("/v1/blocks?from=-1"), status: 400, code: "block.bad-from")
        try expectProblem(try await cluster.get("/v1/proposals/next?after=18446744073709551616"), status: 400, code: "proposal.bad-height")
        // Votes are strict JSON like every other body.
        try expectProblem(try await cluster.post("/v1/votes", body: Data(#"{"vote":"AAAA","weight":3}"#.utf8)),
                          status: 400, code: "vote.unknown-field")

        let document = try OpenAPIDocument()
        // Long polls hold a request up to 25 s; in this run they may wait at most 200 ms, so that
        // generated waits stay inside schemathesis's request timeout. Nothing else differs.
        let longPoll = "      schema: {type: integer, minimum: 0, maximum: 25000}"
        #expect(document.text.contains(longPoll))
        let bounded = cluster.root.appendingPathComponent("openapi-bounded-waits.yaml")
        try document.text.replacingOccurrences(of: longPoll, with: "      schema: {type: integer, minimum: 0, maximum: 200}")
            .write(to: bounded, atomically: true, encoding: .utf8)
        let run = try await Schemathesis.run(document: bounded, baseURL: cluster.baseURL,
                                       arguments: Self.arguments(maxExamples: 25), directory: cluster.root, seconds: 240)
        #expect(run.status == 0, "schemathesis found mismatches:\n\(run.output.suffix(12000))")
        let count = document.operations.count
        #expect(run.output.contains("\(count) selected / \(count) total") && run.output.contains("Tested: \(count)"),
                "schemathesis did not test every operation:\n\(run.output.suffix(4000))")

        // The cluster survived the run: the gateway answers and the nodes still commit.
        let health: GatewayHealth = try await cluster.getJSON("/health")
        #expect(health.status == "ok")
        _ = try await cluster.waitUntil(cluster.nodeIDs) { s in s.values.allSatisfy { $0.height >= health.committedHeight } }
        passed = true
    }

    /// The check itself can fail: a document that misdescribes `/health` is caught.
    @Test func aDocumentThatMisdescribesAResponseIsCaught() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        defer { cluster.stopAll() }
        try await cluster.startGateway()
        let document = try OpenAPIDocument()
        // committedHeight documented as a string; the gateway sends a number.
        let wrong = document.text.replacingOccurrences(
            of: "        committedHeight: {$ref: \"#/components/schemas/Height\"}\n        pendingHeight:",
            with: "        committedHeight: {type: string}\n        pendingHeight:")
        #expect(wrong != document.text)
        let url = cluster.root.appendingPathComponent("openapi-wrong.yaml")
        try wrong.write(to: url, atomically: true, encoding: .utf8)
        let run = try await Schemathesis.run(document: url, baseURL: cluster.baseURL,
                                       arguments: Self.arguments(maxExamples: 3) + ["--include-path", "/health"],
                                       directory: cluster.root, seconds: 120)
        #expect(run.status != 0)
        #expect(run.output.contains("Response violates schema"), "\(run.output.suffix(4000))")
    }

    func expectProblem(_ result: LocalCluster.HTTPResult, status: Int, code: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(Int(result.status.code) == status, "\(String(decoding: result.body, as: UTF8.self))", sourceLocation: sourceLocation)
        let problem = try JSONDecoder().decode(Problem.self, from: result.body)
        #expect(problem.code == code, sourceLocation: sourceLocation)
    }
}
