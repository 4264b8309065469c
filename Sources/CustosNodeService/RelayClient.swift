import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosLedger
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A node's side of the gateway relay: posts sealed envelopes for other nodes and long-polls its
/// own inbox, every request signed with the node's identity key (`RelayRequestSignature`).
/// Shares the HTTP client of the node's `GatewayClient`.
public struct RelayClient: Sendable {
    public let gateway: GatewayClient
    private let identity: NodeIdentity
    private let genesisDigest: LedgerHash
    private let clock: @Sendable () -> UInt64
    private let timeout: Duration

    /// `clock` gives milliseconds since the Unix epoch for the requests' timestamps; `timeout`
    /// bounds each request (a long poll's wait comes on top).
    public init(gateway: GatewayClient, identity: NodeIdentity, genesisDigest: LedgerHash, timeout: Duration = .seconds(10),
                clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }) {
        self.gateway = gateway
        self.identity = identity
        self.genesisDigest = genesisDigest
        self.timeout = timeout
        self.clock = clock
    }

    /// Posts sealed envelopes, each for the named node: all are stored, or none. `.busy` when
    /// the gateway holds too much for a recipient or in total: post again after the delay.
    /// Any other refusal throws, with the gateway's problem code.
    public func post(_ envelopes: [(recipient: NodeID, envelope: [UInt8])]) async throws -> RelayPostOutcome {
        let body = try JSONEncoder().encode(RelayPost(messages: envelopes.map {
            RelayPostMessage(recipient: $0.recipient.rawValue, envelope: $0.envelope)
        }))
        let (status, headers, answer) = try await send(.POST, "/v1/relay/messages", body: Array(body))
        switch status {
        case .accepted:
            return .stored(count: try JSONDecoder().decode(RelayPostReceipt.self, from: answer).stored)
        case .tooManyRequests, .serviceUnavailable:
            let seconds = headers.first(name: "Retry-After").flatMap(Int64.init) ?? 1
            return .busy(retryAfter: .seconds(seconds), detail: Self.problem(answer))
        default:
            throw ClusterAPIError(.gatewayRefused, "gateway refused the relay post: \(status.code) \(Self.problem(answer))")
        }
    }

    /// The envelopes waiting for this node after `cursor`, oldest first; passing a cursor
    /// acknowledges (and so deletes) everything up to it. With a `wait`, the gateway holds the
    /// request until a message arrives or the wait is over.
    public func inbox(after cursor: Int64, wait: Duration = .zero) async throws -> RelayInbox {
        let target = "/v1/relay/inbox?node=\(identity.id.rawValue)&after=\(cursor)" + GatewayClient.query(wait)
        let (status, _, answer) = try await send(.GET, target, body: [], wait: wait)
        guard status == .ok else {
            throw ClusterAPIError(.gatewayRefused, "gateway refused the inbox poll: \(status.code) \(Self.problem(answer))")
        }
        return try JSONDecoder().decode(RelayInbox.self, from: answer)
    }

    private func send(_ method: HTTPMethod, _ target: String, body: [UInt8], wait: Duration = .zero) async throws -> (HTTPResponseStatus, HTTPHeaders, Data) {
        let signature = RelayRequestSignature(method: method.rawValue, target: target, body: body, genesisDigest: genesisDigest,
                                              identity: identity, timestamp: clock())
        return try await gateway.execute(target, method: method, headers: signature.headers.map { ($0.name, $0.value) }, body: body,
                                         wait: wait, timeout: timeout, limit: Self.maximumAnswer)
    }

    /// A full inbox page of the largest envelopes, base64, with JSON overhead.
    static let maximumAnswer = 8 << 20

    /// The problem code and detail of an error answer, for the error message.
    private static func problem(_ body: Data) -> String {
        guard let problem = try? JSONDecoder().decode(Problem.self, from: body) else { return "" }
        return "\(problem.code): \(problem.detail)"
    }
}
