import AsyncHTTPClient
import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosGateway
import CustosLedger
import CustosNodeService
import CustosState
import CustosTestSupport
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization
import Testing

/// The gateway relay for MPC messages, over HTTP to a gateway served in process, on both stores:
/// envelopes reach their recipient and nobody else; the stored rows hold ciphertext only; an
/// envelope altered in the database is refused by its receiver, naming the sender; only a member
/// posts, only envelopes it sent, and only a node drains its own inbox, with fresh signed
/// requests; bounds answer 429/503 with Retry-After; acknowledgement and expiry delete rows.
@Suite(.exclusiveProcesses, .timeLimit(.minutes(3)))
struct RelayTests {
    static let genesis = try! TestGenesis()
    let signingKeys = (1...4).map { _ in Curve25519.Signing.PrivateKey() }
    let identities: [NodeIdentity]
    let transportKeys = (1...4).map { _ in Curve25519.KeyAgreement.PrivateKey() }
    let configuration: ClusterConfiguration
    let clock = TestClock()
    /// Generous: the gateway shares this process's threads with every other suite running at once.
    static let timeout: Duration = .seconds(60)
    static let marker = Array("relay-plaintext-marker: the share of node-1 for node-2".utf8)

    init() throws {
        let transportKeys = self.transportKeys
        identities = signingKeys.enumerated().map {
            NodeIdentity(id: try! NodeID("node-\($0.offset + 1)"), signingKey: $0.element, transportKey: transportKeys[$0.offset])
        }
        configuration = try Self.genesis.configuration(identities, genesisTimestamp: 1_000)
    }

    var session: [UInt8] {
        SessionName(mpcProtocol: .dkg, vaultID: "treasury", keyEpoch: 0, signers: identities.map(\.id.rawValue), startHeight: 3)
            .sessionID(genesisDigest: configuration.genesisDigest.bytes)
    }

    func gateway(_ store: any GatewayStore, limits: RelayLimits = RelayLimits()) async throws -> Gateway {
        let clock = self.clock
        return try await Gateway(configuration: configuration, store: store, logger: Logger(label: "test"), clock: { clock.now },
                                 relayLimits: limits)
    }

    func client(_ index: Int, _ baseURL: String) -> RelayClient {
        let clock = self.clock
        return RelayClient(gateway: GatewayClient(baseURL: baseURL, client: .shared), identity: identities[index],
                           genesisDigest: configuration.genesisDigest, timeout: Self.timeout, clock: { clock.now })
    }

    /// An envelope from node `from` to node `to` (indices), sealed as the sender would.
    func envelope(_ plaintext: [UInt8], from: Int, to: Int, round: UInt16, session: [UInt8]? = nil, signer: Int? = nil) throws -> [UInt8] {
        let header = try SignedEnvelope.Header(sessionID: session ?? self.session, round: round,
                                               sender: identities[signer ?? from].publicKeyBytes,
                                               recipient: Array(transportKeys[to].publicKey.rawRepresentation))
        return try SignedEnvelope.seal(plaintext, header: header, signer: signingKeys[signer ?? from])
    }

    func opener(_ index: Int, counters: RelayCounters = RelayCounters()) -> RelayInboxOpener {
        let session = self.session
        return RelayInboxOpener(transportKey: transportKeys[index], members: configuration.members,
                                isStartedSession: { $0 == session }, counters: counters)
    }

    @Test(arguments: StoreBackend.allCases)
    func envelopesRoundTripAsCiphertextAndAnAlteredOneIsRefusedNamingItsSender(backend: StoreBackend) async throws {
        try await SharedDatabase.with(backend) { database in
            try await InProcessGateway.with(try await gateway(try await database.open())) { baseURL in
                let sender = client(0, baseURL)
                let posted = try await sender.post([
                    (identities[1].id, try envelope(Self.marker, from: 0, to: 1, round: 1)),
                    (identities[1].id, try envelope(Self.marker + [2], from: 0, to: 1, round: 2)),
                    (identities[2].id, try envelope(Self.marker + [3], from: 0, to: 2, round: 1)),
                ])
                #expect(posted == .stored(count: 3))

                // The database holds routing fields and ciphertext: no plaintext anywhere in a row.
                let rows = try await RelayRows(database: database).all()
                #expect(rows.map(\.recipient) == ["node-2", "node-2", "node-3"])
                #expect(rows.allSatisfy { $0.sender == "node-1" && $0.sessionID == session })
                #expect(rows.map(\.round) == [1, 2, 1])
                for row in rows {
                    #expect(!row.envelope.contains(subsequence: Self.marker), "a stored row holds the plaintext")
                    #expect(!row.envelope.contains(subsequence: Array(Self.marker.prefix(16))))
                }

                // Someone with the database flips one ciphertext byte of node-2's round-2 envelope.
                try await RelayRows(database: database).flipByte(at: 98 + 32 + 7, recipient: "node-2", round: 2)

                let counters = RelayCounters()
                let receiver = opener(1, counters: counters)
                let inbox = try await client(1, baseURL).inbox(after: 0)
                #expect(inbox.messages.count == 2)
                let deliveries = inbox.messages.map(receiver.open)
                guard case let .delivered(from, evidence) = deliveries[0] else {
                    Issue.record("the intact envelope was not delivered: \(deliveries[0])")
                    return
                }
                #expect(from.id == identities[0].id && evidence.plaintext == Self.marker && evidence.isAuthentic)
                guard case let .refused(culprit, reason) = deliveries[1] else {
                    Issue.record("the altered envelope was not refused: \(deliveries[1])")
                    return
                }
                #expect(culprit == identities[0].id, "the refusal names \(String(describing: culprit)): \(reason)")
                #expect(counters.deliveredCount == 1 && counters.refusedCount == 1)

                // Another node's key opens nothing addressed to node-2.
                guard case .refused(identities[0].id, _) = opener(2).open(inbox.messages[0]) else {
                    Issue.record("node-3 opened node-2's envelope")
                    return
                }

                // An authentic envelope for a session the log did not start is ignored and counted.
                let other = Hashes.sha256(Array("no such session".utf8))
                #expect(try await client(2, baseURL).post([(identities[1].id, try envelope([9], from: 2, to: 1, round: 1, session: other))])
                    == .stored(count: 1))
                let later = try await client(1, baseURL).inbox(after: inbox.next)
                #expect(later.messages.count == 1)
                guard case .ignored(let who, other) = receiver.open(later.messages[0]), who.id == identities[2].id else {
                    Issue.record("a message for an unknown session was not ignored")
                    return
                }
                #expect(counters.ignoredCount == 1 && counters.prometheusText.contains("outcome=\"ignored\"} 1"))

                // Polling after a cursor acknowledges everything up to it: those rows are gone.
                #expect(try await client(1, baseURL).inbox(after: later.next).messages.isEmpty)
                await #expect(try RelayRows(database: database).all().map(\.recipient) == ["node-3"])
            }
        }
    }

    @Test func aParkedInboxPollIsWokenByAPost() async throws {
        let gateway = try await gateway(try SQLiteGatewayStore.inMemory())
        try await InProcessGateway.with(gateway) { baseURL in
            let waiting = Task { try await client(3, baseURL).inbox(after: 0, wait: .seconds(20)) }
            for _ in 0..<2000 where await gateway.waitingRequests != 1 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(await gateway.waitingRequests == 1)
            #expect(try await client(0, baseURL).post([(identities[3].id, try envelope([1], from: 0, to: 3, round: 1))]) == .stored(count: 1))
            let inbox = try await waiting.value
            #expect(inbox.messages.map(\.sender) == ["node-1"])
            guard case .delivered = opener(3).open(inbox.messages[0]) else {
                Issue.record("the woken poll's envelope did not open")
                return
            }
        }
    }

    @Test func onlyMembersPostTheirOwnEnvelopesAndOnlyANodeDrainsItsInbox() async throws {
        try await InProcessGateway.with(try await gateway(try SQLiteGatewayStore.inMemory())) { baseURL in
            let request = RawRelayRequest(baseURL: baseURL, genesisDigest: configuration.genesisDigest)
            let now = clock.now
            let forNode2 = try envelope(Self.marker, from: 0, to: 1, round: 1)
            let post = Array(try JSONEncoder().encode(RelayPost(messages: [RelayPostMessage(recipient: "node-2", envelope: forNode2)])))

            // An outsider's key: not a member, whatever it signs.
            let outsider = NodeIdentity(id: "node-9", signingKey: .init(), transportKey: .init())
            try await request.expect(403, "relay.not-member", .POST, "/v1/relay/messages", body: post, as: outsider, at: now)
            // A member key under another member's name does not verify.
            let impostor = NodeIdentity(id: "node-1", signingKey: .init(), transportKey: .init())
            try await request.expect(401, "relay.unauthenticated", .POST, "/v1/relay/messages", body: post, as: impostor, at: now)
            // node-3 posting an envelope whose header names node-1 as its sender.
            try await request.expect(403, "relay.wrong-sender", .POST, "/v1/relay/messages", body: post, as: identities[2], at: now)
            // A recipient that is not a member.
            let stray = Array(try JSONEncoder().encode(RelayPost(messages: [RelayPostMessage(recipient: "node-9", envelope: forNode2)])))
            try await request.expect(422, "relay.unknown-recipient", .POST, "/v1/relay/messages", body: stray, as: identities[0], at: now)
            // A body altered after signing.
            try await request.expect(401, "relay.unauthenticated", .POST, "/v1/relay/messages", body: post, as: identities[0], at: now,
                                     sendBody: post + Array(" ".utf8))
            try await request.expect(202, nil, .POST, "/v1/relay/messages", body: post, as: identities[0], at: now)

            let inbox = "/v1/relay/inbox?node=node-2&after=0"
            try await request.expect(401, "relay.unauthenticated", .GET, inbox, as: nil, at: now)
            try await request.expect(401, "relay.unauthenticated", .GET, inbox, as: identities[1], at: now - RelayRequestSignature.freshness - 1)
            try await request.expect(401, "relay.unauthenticated", .GET, inbox, as: identities[1], at: now + RelayRequestSignature.freshness + 1)
            // A signature over one cursor does not serve another (nor acknowledge with it).
            try await request.expect(401, "relay.unauthenticated", .GET, inbox, as: identities[1], at: now,
                                     sendTarget: "/v1/relay/inbox?node=node-2&after=99")
            try await request.expect(403, "relay.not-own-inbox", .GET, inbox, as: identities[0], at: now)
            #expect(try await client(1, baseURL).inbox(after: 0).messages.count == 1, "a refused poll drained the inbox")
            try await request.expect(400, "relay.bad-cursor", .GET, "/v1/relay/inbox?node=node-2&after=-1", as: identities[1], at: now)
        }
    }

    @Test(arguments: StoreBackend.allCases)
    func boundsAnswer429And503WithRetryAfterAndExpiredRowsAreDeleted(backend: StoreBackend) async throws {
        try await SharedDatabase.with(backend) { database in
            let limits = RelayLimits(timeToLive: 10_000, messagesPerRecipient: 2, totalMessages: 3)
            try await InProcessGateway.with(try await gateway(try await database.open(), limits: limits)) { baseURL in
                let request = RawRelayRequest(baseURL: baseURL, genesisDigest: configuration.genesisDigest)
                func post(to recipient: Int, _ byte: UInt8) throws -> [UInt8] {
                    Array(try JSONEncoder().encode(RelayPost(messages: [RelayPostMessage(
                        recipient: identities[recipient].id.rawValue, envelope: try envelope([byte], from: 0, to: recipient, round: 1))])))
                }
                for byte: UInt8 in [1, 2] {
                    try await request.expect(202, nil, .POST, "/v1/relay/messages", body: try post(to: 1, byte), as: identities[0], at: clock.now)
                }
                let full = try await request.expect(429, "relay.recipient-full", .POST, "/v1/relay/messages", body: try post(to: 1, 3),
                                                    as: identities[0], at: clock.now)
                #expect(full.first(name: "Retry-After") == "1")
                #expect(try await client(0, baseURL).post([(identities[1].id, try envelope([4], from: 0, to: 1, round: 1))])
                    == .busy(retryAfter: .seconds(1), detail: "relay.recipient-full: node-2 has not taken its messages yet; nothing was stored"))
                try await request.expect(202, nil, .POST, "/v1/relay/messages", body: try post(to: 2, 5), as: identities[0], at: clock.now)
                let total = try await request.expect(503, "relay.full", .POST, "/v1/relay/messages", body: try post(to: 3, 6),
                                                     as: identities[0], at: clock.now)
                #expect(total.first(name: "Retry-After") == "5")
                await #expect(try RelayRows(database: database).all().count == 3)

                // A session's end passes: the rows expire and are deleted, and the relay takes posts again.
                clock.advance(by: 10_000)
                try await request.expect(202, nil, .POST, "/v1/relay/messages", body: try post(to: 3, 7), as: identities[0], at: clock.now)
                await #expect(try RelayRows(database: database).all().map(\.recipient) == ["node-4"])
                #expect(try await client(1, baseURL).inbox(after: 0).messages.isEmpty)
            }
        }
    }
}

/// Milliseconds since the Unix epoch that a test moves forward by hand.
final class TestClock: Sendable {
    private let milliseconds = Atomic<UInt64>(UInt64(Date().timeIntervalSince1970 * 1000))

    var now: UInt64 { milliseconds.load(ordering: .relaxed) }

    func advance(by delta: UInt64) { milliseconds.add(delta, ordering: .relaxed) }
}

extension Array where Element: Equatable {
    func contains(subsequence: [Element]) -> Bool {
        guard !subsequence.isEmpty, subsequence.count <= count else { return subsequence.isEmpty }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
