import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosState
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The gateway's HTTP API, version 1, documented in docs/openapi.yaml. Client-facing:
/// `POST /v1/entries` (answers the entry's digest), `GET /v1/entries/{digest}` (where it
/// committed). Node-facing: `GET /v1/proposals/next?after=`, `POST /v1/votes`,
/// `POST /v1/round-changes`, `GET /v1/blocks/{height}`, and the MPC relay (`RelayRoutes`). And `GET /health`,
/// `GET /metrics` (Prometheus). The approver's console (HTML, not part of the JSON API) is
/// served under `/console/` (`ConsoleRoutes`).
///
/// Long polls: the three GETs (and the relay inbox) take `wait=<milliseconds>` (at most `Gateway.maximumWait`) and
/// then answer as soon as there is something, or with their "nothing yet" answer after the wait.
/// So does `POST /v1/votes`: the receipt then carries the certificate of the block voted for as
/// soon as it is certified, so that a voter need not fetch the block it holds already.
/// A waiting request ends early when its client disconnects or the gateway shuts down.
public enum GatewayRoutes {
    /// Largest accepted body: an entry at its limits plus base64 and JSON overhead.
    public static let maximumEntryBody = (Entry.maximumPayloadBytes + Entry.maximumAuthorizationBytes) * 4 / 3 + 4096
    public static let maximumVoteBody = 4096
    /// A round change listing the most blocks it may, base64, with JSON overhead.
    public static let maximumRoundChangeBody = 4096

    /// With `https`, every answer tells browsers to use HTTPS only (`Strict-Transport-Security`).
    public static func router(gateway: Gateway, https: Bool = false) -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        if https { router.add(middleware: StrictTransportSecurity()) }
        let recorder = RouteRecorder()
        register(on: recorder, gateway: gateway)
        router.add(middleware: UnroutedRequestProblem(routes: recorder.methodsAndPaths))
        register(on: router, gateway: gateway)
        ConsoleRoutes.add(to: router, console: Console(gateway: gateway))
        return router
    }

    /// Registers every route of the API on `router`: the one place that says which routes exist
    /// (a `RouteRecorder` lists them, for 405 answers and to compare with the OpenAPI document).
    public static func register<Context: GatewayContext>(on router: some RouterMethods<Context>, gateway: Gateway) {
        router.get("/health") { _, _ in
            try json(.ok, try await gateway.health())
        }
        router.get("/metrics") { _, _ in
            // Prometheus text exposition format, version 0.0.4.
            let h = try await gateway.health()
            let inventory = await gateway.inventory
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
                # HELP custos_gateway_waiting_requests Requests held open in long polls.
                # TYPE custos_gateway_waiting_requests gauge
                custos_gateway_waiting_requests \(await gateway.waitingRequests)
                # HELP custos_gateway_keys_rotation_overdue Vault and bot keys past their class's rotation period (grace included), at the committed height.
                # TYPE custos_gateway_keys_rotation_overdue gauge
                custos_gateway_keys_rotation_overdue \(inventory.overdue.count)
                # HELP custos_gateway_keys_past_grace Vault and bot keys past their rotation period and its grace period.
                # TYPE custos_gateway_keys_past_grace gauge
                custos_gateway_keys_past_grace \(inventory.pastGrace.count)

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
        router.get("/v1/entries/{digest}") { request, context in
            guard let text = context.parameters.get("digest"), text.utf8.count == 64, let digest = try? LedgerHash(hex: text) else {
                throw GatewayProblem(.badRequest, code: "entry.bad-digest", title: "Bad entry digest",
                                     detail: "an entry digest is 64 hex digits, as POST /v1/entries answers")
            }
            let wait = try waitParameter(request)
            guard let found = try await untilDisconnected(context, { try await gateway.committedEntry(digest, wait: wait) }) else {
                throw GatewayProblem(.notFound, code: "entry.not-committed", title: "Not committed",
                                     detail: "no committed block carries entry \(digest.hex) (yet)")
            }
            return try json(.ok, EntryCommitted(entry: digest.hex, height: found.height, index: found.index))
        }
        router.get("/v1/proposals/next") { request, context in
            guard let after = request.uri.queryParameters.get("after", as: UInt64.self) else {
                throw GatewayProblem(.badRequest, code: "proposal.bad-height", title: "Bad height",
                                     detail: "the query parameter after=<committed height> is required")
            }
            let node = request.uri.queryParameters.get("node")
            let wait = try waitParameter(request)
            guard let proposal = try await untilDisconnected(context, { try await gateway.proposal(after: after, node: node, wait: wait) })
            else { return Response(status: .noContent) }
            return try json(.ok, ProposalMessage(proposal))
        }
        router.post("/v1/round-changes") { request, _ in
            let message: RoundChangeMessage = try await decode(request, limit: maximumRoundChangeBody, what: "round-change")
            let change: RoundChange
            do { change = try message.decoded() } catch {
                throw GatewayProblem(.badRequest, code: "round-change.malformed", title: "Malformed round change", detail: "\(error)")
            }
            switch try await gateway.receive(change) {
            case let .recorded(count, quorum):
                return try json(.ok, VoteReceipt(outcome: "recorded", detail: "\(count) of \(quorum)"))
            case let .proposed(proposal):
                return try json(.ok, VoteReceipt(outcome: "proposed", detail: "height \(proposal.block.height) round \(proposal.round)"))
            case let .ignored(reason):
                return try json(.ok, VoteReceipt(outcome: "ignored", detail: reason))
            case let .flagged(voter, error):
                throw GatewayProblem(.unprocessableContent, code: "round-change.refused", title: "Round change refused",
                                     detail: "\(voter): \(error.reason)")
            }
        }
        router.post("/v1/votes") { request, context in
            let message: VoteMessage = try await decode(request, limit: maximumVoteBody, what: "vote")
            let vote: Vote
            do { vote = try message.decoded() } catch {
                throw GatewayProblem(.badRequest, code: "vote.malformed", title: "Malformed vote", detail: "\(error)")
            }
            let wait = try waitParameter(request)
            // With a wait, the answer carries the certificate of the block voted for once it is certified.
            let certificate = { @Sendable () async throws -> QuorumCertificate? in
                guard wait > .zero else { return nil }
                return try await untilDisconnected(context) { try await gateway.certificate(for: vote, wait: wait) }
            }
            switch try await gateway.receive(vote) {
            case let .recorded(count, quorum):
                return try json(.ok, VoteReceipt(outcome: "recorded", detail: "\(count) of \(quorum)", certificate: try await certificate()))
            case let .certified(certified):
                return try json(.ok, VoteReceipt(outcome: "certified", detail: "height \(certified.block.height)",
                                                 certificate: wait > .zero ? certified.certificate : nil))
            case let .ignored(reason):
                // At once: a vote ignored before its signature was checked (another height, an
                // older round) must not park a connection (review helper-114 L2). A vote already
                // counted (a node resending after a crash) is answered at once too; that node
                // backs off and catches up by the block instead of waiting here.
                return try json(.ok, VoteReceipt(outcome: "ignored", detail: reason, certificate: nil))
            case let .flagged(voter, error):
                throw GatewayProblem(.unprocessableContent, code: "vote.refused", title: "Vote refused",
                                     detail: "\(voter): \(error.reason)")
            }
        }
        router.get("/v1/blocks/{height}") { request, context in
            guard let height = context.parameters.get("height", as: UInt64.self) else {
                throw GatewayProblem(.badRequest, code: "block.bad-height", title: "Bad height", detail: "a height is a decimal number")
            }
            let wait = try waitParameter(request)
            guard let certified = try await untilDisconnected(context, { try await gateway.committedBlock(height: height, wait: wait) })
            else {
                throw GatewayProblem(.notFound, code: "block.not-found", title: "No such block",
                                     detail: "no block is committed at height \(height)")
            }
            return try json(.ok, CertifiedBlockMessage(certified))
        }
        GovernanceRoutes.add(to: router, gateway: gateway)
        RelayRoutes.add(to: router, gateway: gateway)
    }

    /// The optional `wait=<milliseconds>` of a long poll: 0 when absent, refused above the maximum.
    static func waitParameter(_ request: Request) throws -> Duration {
        guard let text = request.uri.queryParameters.get("wait") else { return .zero }
        let maximum = Gateway.maximumWait.components.seconds * 1000
        guard let milliseconds = Int64(text), (0...maximum).contains(milliseconds) else {
            throw GatewayProblem(.badRequest, code: "request.bad-wait", title: "Bad wait",
                                 detail: "wait is a whole number of milliseconds from 0 to \(maximum)")
        }
        return .milliseconds(milliseconds)
    }

    /// Runs a long poll in its own task, cancelled when the client hangs up (Hummingbird does not
    /// cancel a handler for that) or when the handler itself is cancelled.
    static func untilDisconnected<T: Sendable>(
        _ context: some GatewayContext, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = Task { try await body() }
        guard let channel = context.channel else {
            return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
        }
        let watcher = try? await channel.eventLoop.submit {
            let handler = ClientHangUpHandler { task.cancel() }
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
            return NIOLoopBound(handler, eventLoop: channel.eventLoop)
        }.get()
        defer {
            if let watcher {
                channel.eventLoop.execute { _ = channel.pipeline.syncOperations.removeHandler(watcher.value) }
            }
        }
        return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
    }

    /// A path parameter, percent-decoded: operation ids may hold any printable ASCII, `/` and `%`
    /// included, which clients send percent-encoded. Malformed percent-encoding is a 400 problem.
    static func pathParameter(_ name: String, _ context: some RequestContext) throws -> String {
        try percentDecoded(context.parameters.get(name) ?? "", name: name)
    }

    static func percentDecoded(_ raw: String, name: String) throws -> String {
        guard let decoded = raw.removingPercentEncoding else {
            throw GatewayProblem(.badRequest, code: "request.bad-path", title: "Bad path",
                                 detail: "the path parameter \(name) is not valid percent-encoding")
        }
        return decoded
    }

    /// How long a client told the queue is full should wait before it tries again, in seconds.
    public static let queueRetryAfterSeconds = 1

    /// Queues an entry; a refused one is a problem naming why: 422 for an unknown kind or an entry
    /// that does not decode, 413 over its kind's bound, 401 unsigned or not verifying, 403 from a
    /// removed signer, 429 (this signer) or 503 (everyone) with `Retry-After` when the queue is full.
    static func submit(_ entry: Entry, to gateway: Gateway) async throws -> EntryReceipt {
        do { return try await gateway.submit(entry) } catch let error as AdmissionError {
            let retry: HTTPFields = [.retryAfter: "\(queueRetryAfterSeconds)"]
            let (status, code, title, headers): (HTTPResponse.Status, String, String, HTTPFields) = switch error.code {
            case .inadmissible: (.unprocessableContent, "entry.inadmissible", "Entry refused", [:])
            case .unknownKind: (.unprocessableContent, "entry.unknown-kind", "Unknown entry kind", [:])
            case .oversize: (.contentTooLarge, "entry.oversize", "Entry over its kind's bound", [:])
            case .unsigned: (.unauthorized, "entry.unsigned", "Entry not signed", [:])
            case .unauthenticated: (.unauthorized, "entry.unauthenticated", "Signature does not verify", [:])
            case .forbidden: (.forbidden, "entry.forbidden", "Signer removed", [:])
            case .signerQueueFull: (.tooManyRequests, "queue.signer-full", "Too many queued entries from this signer", retry)
            case .queueFull: (.serviceUnavailable, "queue.full", "Queue full", retry)
            }
            throw GatewayProblem(status, code: code, title: title, detail: error.reason.printable(limit: 1024), headers: headers)
        }
    }

    /// Collects at most `limit` bytes and decodes strict JSON; every failure is a 4xx problem.
    static func decode<T: Decodable>(_ request: Request, limit: Int, what: String) async throws -> T {
        var request = request
        let body: ByteBuffer
        do { body = try await request.collectBody(upTo: limit) } catch is NIOTooManyBytesError {
            throw GatewayProblem.tooLarge(limit)
        }
        return try decode(Array(body.readableBytesView), what: what)
    }

    /// Decodes strict JSON from a collected body; every failure is a 400 problem.
    static func decode<T: Decodable>(_ body: [UInt8], what: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let error as ClusterAPIError where error.code == .unknownField {
            throw GatewayProblem(.badRequest, code: "\(what).unknown-field", title: "Unknown field",
                                 detail: "the field \"\(error.field ?? "")\" is not part of a \(what)")
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
