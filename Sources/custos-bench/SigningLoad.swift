import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosState
import Foundation

/// One window of the signing workload: `submitters` concurrent bot clients, each submitting a
/// request (a message, or a transfer whose transaction the vault signs), waiting until the
/// committed log holds its verified signature, and submitting the next, until `seconds` have
/// passed (paced to `rate` per second in all, if given); one task follows the committed log block
/// by block (`GET /v1/blocks/{h}?wait=`) and feeds a `SignatureWatch`. A request without a
/// verified signature 30 s after it was sent counts as failed. For transfers the follower goes on
/// after the window (bounded) until every signed one has its receipt in the log.
struct SigningLoad {
    struct Sample {
        let request: String
        let submitted: UInt64
        let outcome: SignatureWatch.Outcome
    }

    static let timeLimit: UInt64 = 30_000_000_000

    let start: UInt64
    let deadline: UInt64
    /// When the last request in flight settled.
    let end: UInt64
    let samples: [Sample]
    let unverified: Int
    let repeats: Int
    /// When the log showed each request's transaction receipt (transfers only), by request id.
    let receipts: [String: UInt64]

    /// What a submitter submits, for its tag (unique in the run): the request body (JSON text),
    /// the vault asked to sign, and the signing input every node derives — nil for a transaction,
    /// whose signing hash depends on parameters committed later (checked after the window instead).
    typealias Ask = @Sendable (_ tag: String) -> (body: String, vault: String, input: [UInt8]?)

    var signed: [Sample] { samples.filter { $0.outcome.signed != nil } }
    var failures: [String] { samples.compactMap(\.outcome.failure) }
    /// The failures counted by reason: "3 × reason; 1 × other".
    var failureReasons: String {
        Dictionary(grouping: failures, by: { $0 }).map { "\($0.value.count) × \($0.key.printable(limit: 200))" }.sorted().joined(separator: "; ")
    }

    /// Submission → verified signature in the committed log, per signed request.
    var latencies: Measurement {
        Measurement(name: "submission → verified signature in the committed log",
                    samples: signed.map { $0.outcome.signed! - $0.submitted }.sorted())
    }

    /// Submission → the block carrying the request committed, per signed request.
    var requestCommits: Measurement {
        Measurement(name: "… submission → request committed",
                    samples: signed.compactMap { s in s.outcome.requestCommitted.map { $0 - s.submitted } }.sorted())
    }

    /// Request committed → the block carrying its signature committed.
    var signingRounds: Measurement {
        Measurement(name: "… request committed → signature committed",
                    samples: signed.compactMap { s in s.outcome.requestCommitted.map { s.outcome.signed! - $0 } }.sorted())
    }

    /// Signatures verified by the deadline, per second of the window.
    var signaturesPerSecond: Double {
        Double(signed.filter { $0.outcome.signed! <= deadline }.count) / (Double(deadline - start) / 1e9)
    }

    /// Message requests of `scheme`. `vaults` are the vaults the cluster signs with, by id, as created.
    static func run(_ scheme: SigningScheme, _ cluster: BenchCluster, _ client: HTTPClient, bot: BotSigningKey,
                    vaults: SignatureWatch.Vaults,
                    submitters: Int, rate: Double?, seconds: Double, label: String) async throws -> SigningLoad {
        try await run(cluster, client, bot: bot, vaults: vaults, submitters: submitters, rate: rate, seconds: seconds, label: label,
                      receiptWait: 0) { tag in
            let message = scheme.message("bench message \(tag)")
            let body = #"{"kind": "message", "id": "bench-\#(tag)", "initiator": "risk-bot", "vault": "\#(scheme.vault)", "#
                + #""message": \#(message.json)}"#
            return (body, scheme.vault, message.input)
        }
    }

    /// The requests `ask` makes, submitted as the risk bot; with `receiptWait` > 0, after the
    /// window the log is followed up to that many seconds more until every signed request's
    /// receipt is in it.
    static func run(_ cluster: BenchCluster, _ client: HTTPClient, bot: BotSigningKey, vaults: SignatureWatch.Vaults,
                    submitters: Int, rate: Double?, seconds: Double, label: String, receiptWait: Double,
                    ask: @escaping Ask) async throws -> SigningLoad {
        let watch = SignatureWatch(vaults: vaults)
        let fromHeight = try await cluster.committedHeight(client) + 1
        let start = nowNanoseconds()
        let deadline = start + UInt64(seconds * 1e9)
        let pacer = rate.map { Pacer(start: start, perSecond: $0) }
        let samples = try await withThrowingTaskGroup(of: [Sample].self) { group in
            group.addTask {
                try await follow(cluster, client, watch: watch, from: fromHeight)
                return []
            }
            for c in 0..<submitters {
                group.addTask {
                    var samples: [Sample] = []
                    var sequence = 0
                    while true {
                        if let slot = await pacer?.slot() {
                            guard slot < deadline else { break }
                            let now = nowNanoseconds()
                            if slot > now { try await Task.sleep(for: .nanoseconds(slot - now)) }
                        }
                        guard nowNanoseconds() < deadline else { break }
                        sequence += 1
                        let tag = "\(label)-\(c)-\(sequence)-\(start)"
                        let (body, vault, input) = ask(tag)
                        let signed = SignedRequest(body: try JSONParser().parse(Array(body.utf8)), cluster: cluster.genesis, keyId: "risk-bot",
                                                   timestamp: Int64(Date().timeIntervalSince1970 * 1000),
                                                   nonce: Base64URL.encode(SecureRandom.bytes(count: 18)), key: bot)
                        let id = Hashes.sha256(signed.signingInput).hexString
                        let envelope = signed.jsonBytes
                        await watch.expect(request: id, entry: try RequestEntry.submit(envelope: envelope).digest.hex,
                                           vault: vault, input: input)
                        let submitted = nowNanoseconds()
                        do { _ = try await cluster.post(client, "/v1/requests", body: Data(envelope)) } catch {
                            await watch.refused(id, reason: "\(error)")
                        }
                        samples.append(Sample(request: id, submitted: submitted, outcome: await watch.outcome(of: id)))
                    }
                    return samples
                }
            }
            var all: [Sample] = []
            var remaining = submitters
            for try await batch in group {
                all += batch
                remaining -= 1
                // Every submitter is done (the follower never ends by itself).
                if remaining == 0 {
                    if receiptWait > 0 {
                        let signed = Set(all.filter { $0.outcome.signed != nil }.map(\.request))
                        let until = nowNanoseconds() + UInt64(receiptWait * 1e9)
                        while nowNanoseconds() < until {
                            let receipts = await watch.receipts
                            if signed.allSatisfy({ receipts[$0] != nil }) { break }
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                    group.cancelAll()
                }
            }
            return all
        }
        return SigningLoad(start: start, deadline: deadline, end: nowNanoseconds(), samples: samples,
                           unverified: await watch.unverified, repeats: await watch.repeats, receipts: await watch.receipts)
    }

    /// Feeds the watch every committed block from `height` on, until cancelled; fails requests
    /// that waited past `timeLimit`.
    private static func follow(_ cluster: BenchCluster, _ client: HTTPClient, watch: SignatureWatch, from height: UInt64) async throws {
        var next = height
        while !Task.isCancelled {
            let now = nowNanoseconds()
            await watch.expire(notedBefore: now - min(now, timeLimit), reason: "no verified signature within 30 s")
            let block: CertifiedBlock?
            do { block = try await cluster.certifiedBlock(client, height: next, waitMilliseconds: 1000) } catch where Task.isCancelled { return }
            guard let block else { continue }
            await watch.committed(block.block, at: nowNanoseconds())
            next += 1
        }
    }
}
