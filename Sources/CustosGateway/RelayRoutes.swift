import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The relay for MPC messages, node-facing (documented in docs/openapi.yaml):
/// `POST /v1/relay/messages` stores sealed envelopes for named recipients, and
/// `GET /v1/relay/inbox?node=&after=&wait=` long-polls a node's own inbox, acknowledging what it
/// received up to `after`. Both take a `RelayRequestSignature` by a current member's identity
/// key, so nobody else can fill or drain a node's inbox; every envelope posted must name the
/// poster as its sender. The gateway routes and accounts by the envelopes' clear headers and
/// can open none of them.
enum RelayRoutes {
    /// A full batch of the largest envelopes, base64, with JSON overhead.
    static let maximumRelayBody = Gateway.maximumRelayBatch * (Gateway.maximumEnvelopeBytes * 4 / 3 + 256) + 1024

    static func add<Context: GatewayContext>(to router: some RouterMethods<Context>, gateway: Gateway) {
        router.post("/v1/relay/messages") { request, _ in
            var request = request
            let body: ByteBuffer
            do { body = try await request.collectBody(upTo: maximumRelayBody) } catch is NIOTooManyBytesError {
                throw GatewayProblem.tooLarge(maximumRelayBody)
            }
            let bytes = Array(body.readableBytesView)
            let poster = try await authenticate(request, body: bytes, gateway: gateway)
            let post: RelayPost = try GatewayRoutes.decode(bytes, what: "relay")
            guard (1...Gateway.maximumRelayBatch).contains(post.messages.count) else {
                throw GatewayProblem(.badRequest, code: "relay.bad-batch", title: "Bad batch",
                                     detail: "a post carries 1 to \(Gateway.maximumRelayBatch) envelopes")
            }
            let configuration = await gateway.configuration
            var messages: [(recipient: String, sessionID: [UInt8], round: UInt16, envelope: [UInt8])] = []
            for message in post.messages {
                guard let recipient = try? NodeID(message.recipient), configuration.isMember(recipient) else {
                    throw GatewayProblem(.unprocessableContent, code: "relay.unknown-recipient", title: "Unknown recipient",
                                         detail: "\"\(message.recipient.printable(limit: 64))\" is not a current member")
                }
                let envelope: [UInt8]
                do throws(ClusterAPIError) { envelope = try message.envelopeBytes() } catch {
                    throw GatewayProblem(.badRequest, code: "relay.malformed-envelope", title: "Malformed envelope", detail: error.reason)
                }
                guard envelope.count <= Gateway.maximumEnvelopeBytes else {
                    throw GatewayProblem(.unprocessableContent, code: "relay.envelope-too-large", title: "Envelope too large",
                                         detail: "an envelope has at most \(Gateway.maximumEnvelopeBytes) bytes")
                }
                let header: SignedEnvelope.Header
                do throws(CryptoError) { header = try SignedEnvelope.header(of: envelope) } catch {
                    throw GatewayProblem(.badRequest, code: "relay.malformed-envelope", title: "Malformed envelope", detail: error.reason)
                }
                guard header.sender == poster.publicKeyBytes else {
                    throw GatewayProblem(.forbidden, code: "relay.wrong-sender", title: "Wrong sender",
                                         detail: "an envelope's header names a sender other than \(poster.id)")
                }
                messages.append((recipient.rawValue, header.sessionID, header.round, envelope))
            }
            switch try await gateway.relay(messages, from: poster.id.rawValue) {
            case .stored:
                return try GatewayRoutes.json(.accepted, RelayPostReceipt(stored: messages.count))
            case let .recipientFull(recipient):
                throw GatewayProblem(.tooManyRequests, code: "relay.recipient-full", title: "Recipient's inbox full",
                                     detail: "\(recipient) has not taken its messages yet; nothing was stored", retryAfter: 1)
            case .relayFull:
                throw GatewayProblem(.serviceUnavailable, code: "relay.full", title: "Relay full",
                                     detail: "the relay holds as much as it may; nothing was stored", retryAfter: 5)
            }
        }
        router.get("/v1/relay/inbox") { request, context in
            let query = request.uri.queryParameters
            guard let node = query.get("node") else {
                throw GatewayProblem(.badRequest, code: "relay.bad-node", title: "Bad node", detail: "the query parameter node=<node id> is required")
            }
            guard let after = query.get("after", as: Int64.self), after >= 0 else {
                throw GatewayProblem(.badRequest, code: "relay.bad-cursor", title: "Bad cursor",
                                     detail: "the query parameter after=<cursor> is required: 0, or the last inbox answer's next")
            }
            let wait = try GatewayRoutes.waitParameter(request)
            let member = try await authenticate(request, body: [], gateway: gateway)
            guard member.id.rawValue == node else {
                throw GatewayProblem(.forbidden, code: "relay.not-own-inbox", title: "Not your inbox",
                                     detail: "\(member.id) may poll its own inbox only")
            }
            let messages = try await GatewayRoutes.untilDisconnected(context) { try await gateway.relayInbox(of: node, after: after, wait: wait) }
            return try GatewayRoutes.json(.ok, RelayInbox(
                messages: messages.map {
                    RelayInboxMessage(cursor: $0.cursor, sessionID: $0.message.sessionID, round: $0.message.round, sender: $0.message.sender,
                                      envelope: $0.message.envelope, created: $0.message.created)
                },
                next: messages.last?.cursor ?? after))
        }
    }

    /// The current member that signed this request, or a 401/403 problem.
    static func authenticate(_ request: Request, body: [UInt8], gateway: Gateway) async throws -> Member {
        let signature: RelayRequestSignature
        do throws(ClusterAPIError) {
            signature = try RelayRequestSignature(
                node: request.headers[HTTPField.Name(RelayRequestSignature.nodeHeader)!],
                timestamp: request.headers[HTTPField.Name(RelayRequestSignature.timestampHeader)!],
                signature: request.headers[HTTPField.Name(RelayRequestSignature.signatureHeader)!])
        } catch {
            throw GatewayProblem(.unauthorized, code: "relay.unauthenticated", title: "Not authenticated", detail: error.reason)
        }
        let configuration = await gateway.configuration
        guard let member = configuration.member(signature.node) else {
            throw GatewayProblem(.forbidden, code: "relay.not-member", title: "Not a member",
                                 detail: "\(signature.node) is not a current member of the cluster")
        }
        let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        if let reason = signature.refusal(method: request.method.rawValue, target: target, body: body,
                                          genesisDigest: configuration.genesisDigest, member: member, now: gateway.clock()) {
            throw GatewayProblem(.unauthorized, code: "relay.unauthenticated", title: "Not authenticated", detail: reason)
        }
        return member
    }
}
