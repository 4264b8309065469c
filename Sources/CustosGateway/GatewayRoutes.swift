import CustosClusterAPI
import CustosLedger
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The gateway's HTTP API, version 1, documented in docs/openapi.yaml. Client-facing:
/// `POST /v1/entries`. Node-facing: `GET /v1/proposals/next?after=`, `POST /v1/votes`,
/// `GET /v1/blocks/{height}`. And `GET /health`, `GET /metrics` (Prometheus).
public enum GatewayRoutes {
    /// Largest accepted body: an entry at its limits plus base64 and JSON overhead.
    public static let maximumEntryBody = (Entry.maximumPayloadBytes + Entry.maximumAuthorizationBytes) * 4 / 3 + 4096
    public static let maximumVoteBody = 4096

    public static func router(gateway: Gateway) -> Router<BasicRequestContext> {
        let router = Router()
        register(on: router, gateway: gateway)
        return router
    }

    /// Registers every route of the API on `router`: the one place that says which routes exist
    /// (tests pass a recorder to compare them with the OpenAPI document).
    public static func register(on router: some RouterMethods<BasicRequestContext>, gateway: Gateway) {
        router.get("/health") { _, _ in
            try json(.ok, try await gateway.health())
        }
        router.get("/metrics") { _, _ in
            // Prometheus text exposition format, version 0.0.4.
            let h = try await gateway.health()
            let text = """
                # HELP custos_gateway_committed_height Height of the last certified block.
                # TYPE custos_gateway_committed_height gauge
                custos_gateway_committed_height \(h.committedHeight)
                # HELP custos_gateway_pending_height Height of the proposal in flight, 0 if none.
                # TYPE custos_gateway_pending_height gauge
                custos_gateway_pending_height \(h.pendingHeight ?? 0)
                # HELP custos_gateway_queued_entries Entries waiting for a block.
                # TYPE custos_gateway_queued_entries gauge
                custos_gateway_queued_entries \(h.queuedEntries)

                """
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("/v1/entries") { request, _ in
            let submission: EntrySubmission = try await decode(request, limit: maximumEntryBody, what: "entry")
            let entry: Entry
            do { entry = try submission.entry() } catch {
                throw GatewayProblem(.unprocessableContent, code: "entry.invalid", title: "Invalid entry", detail: "\(error)")
            }
            return try json(.accepted, try await submit(entry, to: gateway))
        }
        router.get("/v1/proposals/next") { request, _ in
            guard let after = request.uri.queryParameters.get("after", as: UInt64.self) else {
                throw GatewayProblem(.badRequest, code: "proposal.bad-height", title: "Bad height",
                                     detail: "the query parameter after=<committed height> is required")
            }
            let node = request.uri.queryParameters.get("node")
            guard let block = try await gateway.nextProposal(after: after, node: node) else { return Response(status: .noContent) }
            return try json(.ok, ProposalMessage(block))
        }
        router.post("/v1/votes") { request, _ in
            let message: VoteMessage = try await decode(request, limit: maximumVoteBody, what: "vote")
            let vote: Vote
            do { vote = try message.decoded() } catch {
                throw GatewayProblem(.badRequest, code: "vote.malformed", title: "Malformed vote", detail: "\(error)")
            }
            switch try await gateway.receive(vote) {
            case let .recorded(count, quorum):
                return try json(.ok, VoteReceipt(outcome: "recorded", detail: "\(count) of \(quorum)"))
            case let .certified(certified):
                return try json(.ok, VoteReceipt(outcome: "certified", detail: "height \(certified.block.height)"))
            case let .ignored(reason):
                return try json(.ok, VoteReceipt(outcome: "ignored", detail: reason))
            case let .flagged(voter, error):
                throw GatewayProblem(.unprocessableContent, code: "vote.refused", title: "Vote refused",
                                     detail: "\(voter): \(error.reason)")
            }
        }
        router.get("/v1/blocks/{height}") { _, context in
            guard let height = context.parameters.get("height", as: UInt64.self) else {
                throw GatewayProblem(.badRequest, code: "block.bad-height", title: "Bad height", detail: "a height is a decimal number")
            }
            guard let certified = try await gateway.committedBlock(height: height) else {
                throw GatewayProblem(.notFound, code: "block.not-found", title: "No such block",
                                     detail: "no block is committed at height \(height)")
            }
            return try json(.ok, CertifiedBlockMessage(certified))
        }
        GovernanceRoutes.add(to: router, gateway: gateway)
    }

    /// A path parameter, percent-decoded: operation ids may hold any printable ASCII, `/` and `%`
    /// included, which clients send percent-encoded. Malformed percent-encoding is a 400 problem.
    static func pathParameter(_ name: String, _ context: BasicRequestContext) throws -> String {
        try percentDecoded(context.parameters.get(name) ?? "", name: name)
    }

    static func percentDecoded(_ raw: String, name: String) throws -> String {
        guard let decoded = raw.removingPercentEncoding else {
            throw GatewayProblem(.badRequest, code: "request.bad-path", title: "Bad path",
                                 detail: "the path parameter \(name) is not valid percent-encoding")
        }
        return decoded
    }

    /// Queues an entry; one every node would refuse a block for is a 422 problem.
    static func submit(_ entry: Entry, to gateway: Gateway) async throws -> EntryReceipt {
        do { return try await gateway.submit(entry) } catch let error as InadmissibleEntry {
            throw GatewayProblem(.unprocessableContent, code: "entry.inadmissible", title: "Entry refused",
                                 detail: error.reason)
        }
    }

    /// Collects at most `limit` bytes and decodes strict JSON; every failure is a 4xx problem.
    static func decode<T: Decodable>(_ request: Request, limit: Int, what: String) async throws -> T {
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: limit) } catch is NIOTooManyBytesError {
            throw GatewayProblem.tooLarge(limit)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let error as UnknownFieldError {
            throw GatewayProblem(.badRequest, code: "\(what).unknown-field", title: "Unknown field",
                                 detail: "the field \"\(error.field)\" is not part of a \(what)")
        } catch let error as DecodingError {
            throw GatewayProblem(.badRequest, code: "\(what).malformed-json", title: "Malformed JSON",
                                 detail: describe(error))
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .dataCorrupted(c): return "not JSON: \(c.debugDescription)"
        case let .keyNotFound(key, _): return "missing field \"\(key.stringValue)\""
        case let .typeMismatch(_, c): return "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case let .valueNotFound(_, c): return "null at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: return "malformed"
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let body = try JSONEncoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
