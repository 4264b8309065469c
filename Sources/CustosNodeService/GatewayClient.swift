import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosLedger
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A node's outbound connection to the gateway. The node accepts no inbound connection; it
/// asks the gateway for work and trusts nothing it gets back without checking it.
public struct GatewayClient: Sendable {
    public let baseURL: String
    /// Sent with proposal requests for the gateway's logs (and its test hooks); not trusted.
    public let nodeID: String?
    let client: HTTPClient
    private let timeout: TimeAmount = .seconds(5)

    public init(baseURL: String, client: HTTPClient, nodeID: String? = nil) {
        self.nodeID = nodeID
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
    }

    /// The proposal for the height after `height`, nil when there is none. With a `wait`, the
    /// gateway holds the request (long poll) until there is one or the wait is over; it answers
    /// at once when this node is not level with its committed head.
    public func nextProposal(after height: UInt64, wait: Duration = .zero) async throws -> Block? {
        let (status, body) = try await get("/v1/proposals/next?after=\(height)" + (nodeID.map { "&node=\($0)" } ?? "") + Self.query(wait),
                                           wait: wait)
        if status == .noContent { return nil }
        guard status == .ok else { throw ClusterAPIError(.gatewayRefused, "gateway answered \(status) for a proposal") }
        return try JSONDecoder().decode(ProposalMessage.self, from: body).decoded()
    }

    /// The certified block at `height`, nil when none is committed there yet; with a `wait`,
    /// the gateway holds the request until it is certified or the wait is over.
    public func certifiedBlock(height: UInt64, wait: Duration = .zero) async throws -> CertifiedBlock? {
        let (status, body) = try await get("/v1/blocks/\(height)" + Self.query(wait, first: true), wait: wait)
        if status == .notFound { return nil }
        guard status == .ok else { throw ClusterAPIError(.gatewayRefused, "gateway answered \(status) for block \(height)") }
        return try JSONDecoder().decode(CertifiedBlockMessage.self, from: body).decoded()
    }

    /// Submits an entry this node made and signed itself (a key ceremony's round-1 package,
    /// confirmation or complaint); answers the entry's digest (hex) as the gateway reports it. A refusal
    /// throws with the gateway's problem.
    @discardableResult
    public func submit(_ entry: Entry) async throws -> String {
        var request = HTTPClientRequest(url: baseURL + "/v1/entries")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(
            EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))))
        let response = try await client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 16)
        guard response.status == .accepted || response.status == .ok else {
            throw ClusterAPIError(.gatewayRefused, "gateway refused the \(entry.kind) entry: \(response.status) \(String(buffer: body).printable(limit: 512))")
        }
        return (try? JSONDecoder().decode(EntryReceipt.self, from: Data(buffer: body)).entry) ?? "?"
    }

    /// Sends a vote (already recorded durably by the caller).
    public func send(vote serialized: [UInt8]) async throws -> String {
        var request = HTTPClientRequest(url: baseURL + "/v1/votes")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(VoteMessage(serialized: serialized))))
        let response = try await client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 16)
        guard response.status == .ok else {
            throw ClusterAPIError(.gatewayRefused, "gateway refused the vote: \(response.status) \(String(buffer: body))")
        }
        return (try? JSONDecoder().decode(VoteReceipt.self, from: Data(buffer: body)).outcome) ?? "?"
    }

    /// `wait=` in milliseconds, or nothing for no wait.
    static func query(_ wait: Duration, first: Bool = false) -> String {
        let milliseconds = wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return "" }
        return (first ? "?" : "&") + "wait=\(milliseconds)"
    }

    private func get(_ path: String, wait: Duration = .zero) async throws -> (HTTPResponseStatus, Data) {
        let request = HTTPClientRequest(url: baseURL + path)
        // A long poll may legitimately take the whole wait before the answer starts.
        let response = try await client.execute(request, timeout: timeout + .milliseconds(wait.components.seconds * 1000))
        let body = try await response.body.collect(upTo: Block.maximumEncodedBytes * 2 + (1 << 20))
        return (response.status, Data(buffer: body))
    }
}
