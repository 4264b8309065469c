import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosIdentity
import Foundation
import NIOCore

/// Threshold signing end to end, as issue #10 asks of `make bench`: a gateway and four real
/// `custos node` processes on loopback (the release `custos` next to this executable); for each
/// scheme a vault created through the governed operation (the nodes generate its key), the risk
/// bot registered through governance and allowed by the policy to have it sign messages; then
/// signed message requests submitted for `--duration` seconds by `--submitters` closed-loop
/// clients. Measured per request: submission → the committed log holds a signature for it that
/// verifies under the vault's key (checked here with the C libraries). Reported: p50, p99 and
/// signatures per second against the goals (p50 ≤ 25 ms, p99 ≤ 100 ms, ≥ 200 signatures/s: met
/// or missed, never asserted), CPU per signature of every process (/proc), and the nonce pools'
/// refill rate (each node's `custos_node_vault_*` counters). Baselines in the same run: one HTTP
/// round trip to the gateway, and one plain single-key signature of the scheme.
enum SigningBenchmarks {
    static let goalP50: Double = 25_000_000
    static let goalP99: Double = 100_000_000
    static let goalRate: Double = 200

    /// Runs every scheme of `--schemes` on the session's cluster, one after the other.
    static func run(_ session: BenchSession) async throws -> String {
        let options = session.options
        let schemes = options.schemes.compactMap(SigningScheme.named)
        let cluster = try await session.cluster()
        let bot = try await session.bot("risk-bot", role: "risk-bot")
        var vaults: SignatureWatch.Vaults = [:]
        for scheme in schemes { vaults[scheme.vault] = (scheme, try await session.vault(scheme.vault, scheme: scheme.name)) }
        var text = ""
        for scheme in schemes {
            text += try await report(scheme, cluster, session.client, bot: bot, vaults: vaults, options: options) + "\n"
        }
        return text
    }

    private static func report(_ scheme: SigningScheme, _ cluster: BenchCluster, _ client: HTTPClient, bot: BotSigningKey,
                               vaults: SignatureWatch.Vaults, options: BenchOptions) async throws -> String {
        let roundTrip = try await cluster.roundTrips(client)
        let plain = scheme.plainSignature()
        // Warm-up (connections, caches, the first refills), then full pools before measuring.
        _ = try await waitForFullPools(scheme, cluster, client, depth: options.poolDepth)
        _ = try await SigningLoad.run(scheme, cluster, client, bot: bot, vaults: vaults, submitters: options.submitters, rate: options.rate,
                                      seconds: min(5, options.duration / 4), label: "warm-\(scheme.name)")
        let poolsFull = try await waitForFullPools(scheme, cluster, client, depth: options.poolDepth)

        let heightBefore = try await cluster.committedHeight(client)
        let metricsBefore = try await cluster.nodeMetrics(client)
        let cpuBefore = cluster.cpuSeconds()
        let selfBefore = ClusterBenchmarks.processCPUSeconds()
        let load = try await SigningLoad.run(scheme, cluster, client, bot: bot, vaults: vaults, submitters: options.submitters,
                                             rate: options.rate, seconds: options.duration, label: scheme.name)
        var cpu = cluster.cpuSeconds()
        for (name, seconds) in cpu { cpu[name] = seconds - (cpuBefore[name] ?? 0) }
        cpu["load generator (this process)"] = ClusterBenchmarks.processCPUSeconds() - selfBefore
        let metricsAfter = try await cluster.nodeMetrics(client)
        let blocks = try await cluster.committedHeight(client) - heightBefore
        let stateCheck = try await checkState(load, cluster, client)
        let signers = Self.signers(scheme, threshold: vaults[scheme.vault]?.view.threshold ?? 0)
        return render(scheme, load, options: options, signers: signers, roundTrip: roundTrip, plain: plain, cpu: cpu, cluster: cluster, metrics: (metricsBefore, metricsAfter), blocks: blocks,
                      poolsFull: poolsFull, stateCheck: stateCheck)
    }

    /// Waits (bounded: 30 s) until the vault shows every node's pool holding `depth` nonce
    /// commitments; false if it did not by then (a scheme whose pools the vault does not show).
    private static func waitForFullPools(_ scheme: SigningScheme, _ cluster: BenchCluster, _ client: HTTPClient, depth: Int) async throws -> Bool {
        for _ in 0..<300 {
            let pools = try await cluster.vault(client, scheme.vault).pools
            if pools.count == cluster.nodeIDs.count && pools.values.allSatisfy({ $0 >= depth }) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Whether the gateway's committed state shows the last signed requests (up to 20) signed with
    /// the very signature the workload verified: "k of n".
    private static func checkState(_ load: SigningLoad, _ cluster: BenchCluster, _ client: HTTPClient) async throws -> String {
        let recent = load.signed.sorted { $0.outcome.signed! < $1.outcome.signed! }.suffix(20)
        var agreeing = 0
        for sample in recent {
            guard let data = try? await cluster.get(client, "/v1/requests/\(sample.request)"),
                  let view = try? JSONDecoder().decode(RequestView.self, from: data) else { continue }
            if view.signing?.status == "signed" && view.signing?.signature == sample.outcome.signature.hexString { agreeing += 1 }
        }
        return "\(agreeing) of \(recent.count)"
    }

    /// How many nodes sign one request: the threshold for FROST, 2t+1 (threshold t+1) for ECDSA.
    static func signers(_ scheme: SigningScheme, threshold: Int) -> Int {
        scheme.name == "ecdsa-secp256k1" ? 2 * threshold - 1 : threshold
    }

    private static func render(
        _ scheme: SigningScheme, _ load: SigningLoad, options: BenchOptions, signers: Int, roundTrip: Measurement, plain: Measurement,
        cpu: [String: Double], cluster: BenchCluster, metrics: (before: [String: [String: Double]], after: [String: [String: Double]]),
        blocks: UInt64, poolsFull: Bool, stateCheck: String
    ) -> String {
        let latency = load.latencies
        let count = latency.samples.count
        let elapsed = Double(load.end - load.start) / 1e9
        let rate = load.signaturesPerSecond
        func met(_ ok: Bool) -> String { ok ? "met" : "missed" }
        let pace = options.rate.map { ", paced to at most \(formatFixed($0, digits: 0)) requests/s" } ?? ""
        var lines = [
            "## Signing end to end, \(scheme.name) (\(scheme.format) messages, vault \(scheme.vault)): n = \(cluster.nodeIDs.count), \(signers) signers, "
                + "five processes on loopback, vs one HTTP round trip and one plain signature",
            "",
            "\(options.submitters) closed-loop submitters\(pace) for \(formatFixed(options.duration, digits: 0)) s "
                + "(each submits a signed message request as the risk bot and waits until the committed log holds its signature, "
                + "verified here under the vault's key); nonce pool depth \(options.poolDepth) per node.",
            "",
        ]
        var table = LatencyTable(roundTrip: roundTrip, plain: plain)
        table.row(latency, "\(count) signatures, \(formatFixed(rate, digits: 1)) signatures/s; goals: p50 ≤ 25 ms \(met(count > 0 && latency.p50 <= goalP50)), "
            + "p99 ≤ 100 ms \(met(count > 0 && latency.p99 <= goalP99)), ≥ 200 signatures/s \(met(rate >= goalRate))")
        table.row(load.requestCommits, "the request's block, as the log follower saw it")
        table.row(load.signingRounds, "signers assigned at the request's block; shares through the relay; the signature entry's block")
        lines += table.lines
        lines.append("")
        var notes: [String] = []
        if !load.failures.isEmpty {
            notes.append("Requests without a verified signature: \(load.failures.count) (\(load.failureReasons)).")
        }
        if !poolsFull { notes.append("The vault did not show full pools (\(options.poolDepth) per node) within 30 s before the window.") }
        if load.unverified > 0 { notes.append("Signature entries in the log that did not verify here: \(load.unverified).") }
        notes.append("Committed blocks in the window: \(blocks) (\(count == 0 ? "–" : formatFixed(Double(blocks) / Double(count), digits: 2)) per signature: "
                     + "the request's, the signature's and the nonce batches' entries, batched as they come).")
        notes.append("Repeated signature entries (a signer submitting a signature the log already had): \(load.repeats). "
                     + "The gateway's committed state shows the same signature for \(stateCheck) of the last signed requests.")
        lines += notes + [""]

        lines += CPUShares(cpu: cpu, operations: count, elapsed: elapsed, plain: plain)
            .lines("signature", of: scheme.name, order: ["gateway"] + cluster.nodeIDs + ["load generator (this process)"])
        // FROST pools hold nonce commitments, ECDSA pools presignatures (each signer holds a share of each).
        let ecdsa = scheme.name == "ecdsa-secp256k1"
        let (pooled, refill) = ecdsa ? ("presignatures", "custos_node_vault_presignatures_made_total")
            : ("nonce commitments", "custos_node_vault_nonces_published_total")
        lines += [
            "",
            "\(ecdsa ? "Presignature" : "Nonce") pools, \(scheme.name) (each node's `custos_node_vault_*` counters over the same "
                + "\(formatFixed(elapsed, digits: 1)) s; one signature takes "
                + (ecdsa ? "one presignature its \(signers) signers hold shares of):" : "one commitment from each of its \(signers) signers):"),
            "",
            "| node | refill: \(pooled) made/s | signature shares released | signatures submitted | pool depth at the end |",
            "|---|---:|---:|---:|---:|",
        ]
        for id in cluster.nodeIDs {
            func delta(_ name: String) -> Double { (metrics.after[id]?[name] ?? 0) - (metrics.before[id]?[name] ?? 0) }
            let depth = metrics.after[id]?["custos_node_vault_pool_depth{vault=\"\(scheme.vault)\"}"].map { formatFixed($0, digits: 0) } ?? "–"
            lines.append("| \(id) | \(formatFixed(delta(refill) / elapsed, digits: 1)) | "
                + "\(formatFixed(delta("custos_node_vault_shares_released_total"), digits: 0)) | "
                + "\(formatFixed(delta("custos_node_vault_signatures_submitted_total"), digits: 0)) | \(depth) |")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
