import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
@testable import CustosNodeService
import CustosState
import CustosTestSupport
import Foundation
import Logging
import NIOCore
import Testing

/// Alert webhooks (issue 15 item 1): a node posts each committed alert to one URL, signed with
/// HMAC-SHA256 under a shared secret, retried with exponential back-off until acknowledged, and
/// goes on after a restart from the last acknowledged alert. The receiver here is Python's,
/// checking each signature with its own `hmac`.
@Suite(.exclusiveProcesses, .serialized) struct WebhookSenderTests {
    static let secretText = "a shared secret of the firm's alert desk\n"

    static func secret() throws -> WebhookSecret { try WebhookSecret(bytes: Array(secretText.utf8.dropLast())) }

    static func alert(_ id: UInt64) -> AlertView {
        AlertView(Alert(id: id, kind: .ownershipTransferred, requestId: "", vault: "", chain: "ethereum", transactionHash: [UInt8](repeating: 7, count: 32),
                        codes: [], basis: .watched, members: ["watcher-1", "watcher-2"],
                        event: MonitoredEvent(kind: .ownershipTransferred, chain: "ethereum", contract: "0x" + String(repeating: "ad", count: 20), block: 90,
                                              blockHash: "0x" + String(repeating: "90", count: 32), transaction: "0x" + String(repeating: "07", count: 32),
                                              logIndex: 0, fields: ["new_owner": "0x" + String(repeating: "66", count: 20)]),
                        height: 12, blockTime: 1_800_000_000_000))
    }

    @Test func theSignatureVerifiesAndATamperedBodyOrAnotherSecretDoesNot() throws {
        let message = try WebhookMessage(alert: Self.alert(3), cluster: [1, 2, 3], node: "node-1")
        let secret = try Self.secret()
        let header = WebhookMessage.signature(of: message.body, secret: secret)
        #expect(header.hasPrefix("sha256=") && header.utf8.count == 7 + 64)
        #expect(WebhookMessage.isValidSignature(header, for: message.body, secret: secret))
        let text = String(decoding: message.body, as: UTF8.self)
        #expect(text.contains("\"cluster\":\"010203\"") && text.contains("\"node\":\"node-1\"") && text.contains("\"new_owner\""))
        // One digit of the new owner changed; the body with a space added; another secret; a bare hex code.
        let tampered = Array(text.replacingOccurrences(of: "0x6666", with: "0x6667").utf8)
        #expect(tampered != message.body && !WebhookMessage.isValidSignature(header, for: tampered, secret: secret))
        #expect(!WebhookMessage.isValidSignature(header, for: message.body + [0x20], secret: secret))
        #expect(!WebhookMessage.isValidSignature(header, for: message.body, secret: try WebhookSecret(bytes: Array("another secret, 16+ bytes".utf8))))
        #expect(!WebhookMessage.isValidSignature(String(header.dropFirst(7)), for: message.body, secret: secret))
        // The secret never prints.
        #expect("\(secret)" == "WebhookSecret(40 bytes)")
        #expect(throws: WebhookError.self) { _ = try WebhookSecret(bytes: Array("short".utf8)) }
    }

    @Test func theBackOffDoublesUpToItsMaximum() {
        let delays = (1...6).map { WebhookSender.backoff(afterFailures: $0, base: .seconds(1), maximum: .seconds(10)) }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
    }

    /// What the receiver recorded: how many posts came in, and the alert ids it took with a valid signature.
    static func received(_ server: LocalServer) async throws -> (posts: Int, valid: [UInt64], invalid: Int) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(server.url)/received"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        struct Record: Decodable { let alert: UInt64?; let valid: Bool }
        struct Received: Decodable { let posts: Int; let received: [Record] }
        let decoded = try JSONDecoder().decode(Received.self, from: Data(body.readableBytesView))
        return (decoded.posts, decoded.received.filter(\.valid).compactMap(\.alert), decoded.received.filter { !$0.valid }.count)
    }

    /// Waits until the receiver took `ids`.
    static func wait(for ids: [UInt64], at server: LocalServer) async throws -> (posts: Int, valid: [UInt64], invalid: Int) {
        let clock = ContinuousClock()
        let deadline = clock.now + TestPatience.standard
        var last = try await received(server)
        while last.valid != ids && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            last = try await received(server)
        }
        return last
    }

    @Test func aReceiverFailingTheFirstPostsGetsEachAlertOnceAfterBackOffAndARestartGoesOn() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let secretFile = folder.appendingPathComponent("secret").path
        try Data(Self.secretText.utf8).write(to: URL(fileURLWithPath: secretFile))
        let server = try LocalServer.webhookReceiver(secretFile: secretFile, failFirst: 2)
        defer { server.stop() }
        let progress = WebhookProgress(path: folder.appendingPathComponent("webhook.progress").path)
        func sender() throws -> WebhookSender {
            WebhookSender(url: URL(string: "\(server.url)/hook")!, secret: try WebhookSecret(contentsOfFile: secretFile), node: "node-1", progress: progress,
                          client: .shared, logger: Logger(label: "webhook-test"), base: .milliseconds(20), maximum: .milliseconds(200))
        }

        let first = try sender()
        let running = Task { try await first.run() }
        first.committed([Self.alert(1), Self.alert(2)], genesisDigest: [9, 9])
        let seen = try await Self.wait(for: [1, 2], at: server)
        running.cancel()
        _ = await running.result
        // Two 503s, then each alert once, every signature valid by Python's hmac.
        #expect(seen.valid == [1, 2] && seen.invalid == 0 && seen.posts == 4, "\(seen)")
        #expect(try progress.load() == 2)

        // A restart with one more alert committed posts only the new one.
        let second = try sender()
        let again = Task { try await second.run() }
        second.committed([Self.alert(1), Self.alert(2), Self.alert(3)], genesisDigest: [9, 9])
        let after = try await Self.wait(for: [1, 2, 3], at: server)
        again.cancel()
        _ = await again.result
        #expect(after.valid == [1, 2, 3] && after.posts == 5, "\(after)")
    }
}
