import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosLedger
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A node's outbound connection to the gateway — to one of its gateways (`GatewayEndpoints`):
/// a request that fails to get an answer, or gets a server error, moves the node on to the next
/// gateway for its next request. The node accepts no inbound connection; it asks a gateway for
/// work and trusts nothing it gets back without checking it.
public struct GatewayClient: Sendable {
    public let gateways: GatewayEndpoints
    /// Sent with proposal requests for the gateway's logs (and its test hooks); not trusted.
    public let nodeID: String?
    let client: HTTPClient
    /// Told when the node moves on to another gateway.
    private let logger: Logger?
    private let timeout: TimeAmount = .seconds(5)

    public init(baseURL: String, client: HTTPClient, nodeID: String? = nil) {
        self.init(gateways: GatewayEndpoints([baseURL]), client: client, nodeID: nodeID)
    }

    public init(gateways: GatewayEndpoints, client: HTTPClient, nodeID: String? = nil, logger: Logger? = nil) {
        self.gateways = gateways
        self.nodeID = nodeID
        self.client = client
        self.logger = logger
    }

    /// The base URL of the gateway this node talks to now.
    public var baseURL: String { gateways.url }

    /// The proposal for the height after `height`, nil when there is none. With a `wait`, the
    /// gateway holds the request (long poll) until there is one or the wait is over; it answers
    /// at once when this node is not level with its committed head.
    public func nextProposal(after height: UInt64, wait: Duration = .zero) async throws -> Block? {
        try await proposal(after: height, wait: wait)?.block
    }

    /// `nextProposal(after:wait:)` with the proposal's round and justification.
    public func proposal(after height: UInt64, wait: Duration = .zero) async throws -> Proposal? {
        let (status, _, body) = try await execute(
            "/v1/proposals/next?after=\(height)" + (nodeID.map { "&node=\($0)" } ?? "") + Self.query(wait), wait: wait)
        if status == .noContent { return nil }
        guard status == .ok else { throw ClusterAPIError(.gatewayRefused, "gateway answered \(status) for a proposal") }
        return try JSONDecoder().decode(ProposalMessage.self, from: body).decodedProposal()
    }

    /// The certified block at `height`, nil when none is committed there yet; with a `wait`,
    /// the gateway holds the request until it is certified or the wait is over.
    public func certifiedBlock(height: UInt64, wait: Duration = .zero) async throws -> CertifiedBlock? {
        let (status, _, body) = try await execute("/v1/blocks/\(height)" + Self.query(wait, first: true), wait: wait)
        if status == .notFound { return nil }
        guard status == .ok else { throw ClusterAPIError(.gatewayRefused, "gateway answered \(status) for block \(height)") }
        return try JSONDecoder().decode(CertifiedBlockMessage.self, from: body).decoded()
    }

    /// Submits an entry this node made and signed itself (a key ceremony's round-1 package,
    /// confirmation or complaint); answers the entry's digest (hex) as the gateway reports it. A refusal
    /// throws with the gateway's problem.
    @discardableResult
    public func submit(_ entry: Entry) async throws -> String {
        let (status, _, body) = try await execute("/v1/entries", method: .POST, body: Array(try JSONEncoder().encode(
            EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))))
        guard status == .accepted || status == .ok else {
            throw ClusterAPIError(.gatewayRefused, "gateway refused the \(entry.kind) entry: \(status) \(String(decoding: body, as: UTF8.self).printable(limit: 512))")
        }
        return (try? JSONDecoder().decode(EntryReceipt.self, from: body).entry) ?? "?"
    }

    /// Sends a vote (already recorded durably by the caller).
    public func send(vote serialized: [UInt8]) async throws -> String {
        try await send(vote: serialized, wait: .zero).outcome
    }

    /// Sends a vote (already recorded durably by the caller); with a `wait`, the gateway holds
    /// the answer until the block voted for is certified (or a new round starts at its height, or
    /// the wait is over), and the receipt then carries its certificate — which the caller checks
    /// against the block it voted for before believing it. An answer that is no receipt reads as
    /// outcome "?" without a certificate.
    public func send(vote serialized: [UInt8], wait: Duration) async throws -> VoteReceipt {
        try await receipt(of: "/v1/votes" + Self.query(wait, first: true), body: try JSONEncoder().encode(VoteMessage(serialized: serialized)),
                          what: "vote", wait: wait)
    }

    /// Sends a round change (already recorded durably by the caller).
    public func send(roundChange serialized: [UInt8]) async throws -> String {
        try await receipt(of: "/v1/round-changes", body: try JSONEncoder().encode(RoundChangeMessage(serialized: serialized)),
                          what: "round change").outcome
    }

    private func receipt(of target: String, body: Data, what: String, wait: Duration = .zero) async throws -> VoteReceipt {
        let (status, _, answer) = try await execute(target, method: .POST, body: Array(body), wait: wait)
        guard status == .ok else {
            throw ClusterAPIError(.gatewayRefused, "gateway refused the \(what): \(status) \(String(decoding: answer, as: UTF8.self).printable(limit: 512))")
        }
        return (try? JSONDecoder().decode(VoteReceipt.self, from: answer)) ?? VoteReceipt(outcome: "?")
    }

    /// `wait=` in milliseconds, or nothing for no wait.
    static func query(_ wait: Duration, first: Bool = false) -> String {
        let milliseconds = wait.wholeMilliseconds
        guard milliseconds > 0 else { return "" }
        return (first ? "?" : "&") + "wait=\(milliseconds)"
    }

    /// Sends one request to the current gateway and collects the answer (at most `limit` bytes),
    /// allowing `wait` on top of the timeout for a long poll. A request that gets no answer, or a
    /// 5xx, moves this node on to the next gateway before the error or the answer is returned.
    func execute(
        _ target: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: [UInt8] = [],
        wait: Duration = .zero, timeout: Duration? = nil, limit: Int = Block.maximumEncodedBytes * 2 + (1 << 20)
    ) async throws -> (HTTPResponseStatus, HTTPHeaders, Data) {
        let base = gateways.url
        var request = HTTPClientRequest(url: base + target)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if method == .POST {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        // A long poll may legitimately take the whole wait before the answer starts.
        let limitTime = (timeout ?? .milliseconds(Int64(self.timeout.nanoseconds / 1_000_000))) + wait
        do {
            let response = try await client.execute(request, timeout: .milliseconds(limitTime.wholeMilliseconds))
            let answer = try await response.body.collect(upTo: limit)
            if response.status.code >= 500 { moveOn(from: base, because: "\(response.status)") }
            return (response.status, response.headers, Data(buffer: answer))
        } catch {
            if !(error is CancellationError) { moveOn(from: base, because: "\(error)") }
            throw error
        }
    }

    private func moveOn(from base: String, because reason: String) {
        let next = gateways.failed(base)
        guard next != base else { return }
        logger?.warning("gateway not answering; moving on to the next", metadata: [
            "from": "\(base)", "to": "\(next)", "reason": "\(reason.printable(limit: 256))"])
    }
}
