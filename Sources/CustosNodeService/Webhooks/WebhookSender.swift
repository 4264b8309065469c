import AsyncHTTPClient
import CustosClusterAPI
import CustosState
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// A node's webhook, as a `Service`: it posts every alert of its committed state
/// (`WebhookMessage`, signed with the shared secret) to one URL, oldest first, each once the one
/// before it was acknowledged (a 2xx answer). A failure (no answer, another status) is retried
/// after an exponential back-off (`backoff`: `base`, doubled each failure, at most `maximum`);
/// the id of the last acknowledged alert is kept in `progress`, so a restart goes on from it.
/// Driven by the committed state only; the secret never reaches a log.
public actor WebhookSender: Service {
    public typealias Post = @Sendable (_ url: URL, _ body: [UInt8], _ headers: [(String, String)]) async throws -> Int

    let url: URL
    let secret: WebhookSecret
    let node: String
    let progress: WebhookProgress
    let post: Post
    let logger: Logger
    let base: Duration
    let maximum: Duration
    private let updates: AsyncStream<([AlertView], [UInt8])>
    private let updatesContinuation: AsyncStream<([AlertView], [UInt8])>.Continuation
    private var alerts: [AlertView] = []
    private var genesisDigest: [UInt8] = []
    /// The id of the last alert the receiver acknowledged.
    private var delivered: UInt64 = 0

    /// Posting through `client`, each attempt given `timeout`.
    public init(url: URL, secret: WebhookSecret, node: String, progress: WebhookProgress, client: HTTPClient, logger: Logger,
                base: Duration = .seconds(1), maximum: Duration = .seconds(300), timeout: Duration = .seconds(10)) {
        self.init(url: url, secret: secret, node: node, progress: progress, logger: logger, base: base, maximum: maximum) { url, body, headers in
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout.components.seconds * 1000)))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return Int(response.status.code)
        }
    }

    package init(url: URL, secret: WebhookSecret, node: String, progress: WebhookProgress, logger: Logger, base: Duration, maximum: Duration,
                 post: @escaping Post) {
        self.url = url
        self.secret = secret
        self.node = node
        self.progress = progress
        self.logger = logger
        self.base = base
        self.maximum = max(base, maximum)
        self.post = post
        (updates, updatesContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Hands over a newly committed state (only the newest one waiting is kept).
    public nonisolated func committed(_ state: ReplicatedState) { committed(AlertView.list(of: state), genesisDigest: state.genesisDigest) }

    /// Hands over the alerts of a committed state.
    package nonisolated func committed(_ alerts: [AlertView], genesisDigest: [UInt8]) { updatesContinuation.yield((alerts, genesisDigest)) }

    /// The wait after `failures` failed attempts in a row: `base` doubled for each one after the
    /// first, at most `maximum`.
    package static func backoff(afterFailures failures: Int, base: Duration, maximum: Duration) -> Duration {
        var delay = base
        for _ in 1..<max(1, min(failures, 40)) where delay < maximum { delay = delay * 2 }
        return min(delay, maximum)
    }

    public func run() async throws {
        logger.info("posting alerts to the webhook", metadata: ["url": "\(url.absoluteString)"])
        delivered = try progress.load()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await (alerts, digest) in self.updates { await self.adopt(alerts, digest) }
                }
                group.addTask {
                    var failures = 0
                    while !Task.isCancelled {
                        switch await self.deliverNext() {
                        case nil: try? await Task.sleep(for: .milliseconds(200))
                        case true?: failures = 0
                        case false?:
                            failures += 1
                            try? await Task.sleep(for: Self.backoff(afterFailures: failures, base: self.base, maximum: self.maximum))
                        }
                    }
                }
                await group.waitForAll()
            }
        }
    }

    /// Posts the first committed alert after the last delivered one: nil when there is none,
    /// else whether the receiver acknowledged it.
    private func deliverNext() async -> Bool? {
        guard let message = next(after: delivered) else { return nil }
        guard await deliver(message) else { return false }
        delivered = max(delivered, message.alertId)
        return true
    }

    private func adopt(_ alerts: [AlertView], _ digest: [UInt8]) {
        self.alerts = alerts
        genesisDigest = digest
    }

    /// The message of the first committed alert after `delivered`, if any.
    private func next(after delivered: UInt64) -> WebhookMessage? {
        guard let alert = alerts.first(where: { $0.id > delivered }) else { return nil }
        do {
            return try WebhookMessage(alert: alert, cluster: genesisDigest, node: node)
        } catch {
            logger.error("cannot encode alert \(alert.id) for the webhook: \(error)")
            return nil
        }
    }

    /// Posts `message`; whether the receiver acknowledged it (and its id was saved).
    private func deliver(_ message: WebhookMessage) async -> Bool {
        let headers = [(WebhookMessage.signatureHeader, WebhookMessage.signature(of: message.body, secret: secret)),
                       (WebhookMessage.alertHeader, String(message.alertId)), (WebhookMessage.nodeHeader, node)]
        do {
            let status = try await post(url, message.body, headers)
            guard (200..<300).contains(status) else {
                logger.warning("the webhook answered alert \(message.alertId) with status \(status); retrying after a back-off")
                return false
            }
            try progress.save(message.alertId)
            return true
        } catch {
            logger.warning("posting alert \(message.alertId) to the webhook failed: \(error); retrying after a back-off")
            return false
        }
    }
}
