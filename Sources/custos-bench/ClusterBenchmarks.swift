import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import Foundation
import GRDB
import NIOCore
import NIOFoundationCompat

/// The replicated log end to end at n = 4 (q = 3) on loopback: a real gateway and four real
/// `custos node` processes (the release `custos` next to this executable), each with its own
/// SQLite files (WAL, synchronous=FULL) in a temporary folder on the same disk, driven over HTTP
/// by concurrent clients. Commit latency is submit → the client learns the commit (its long poll
/// on `GET /v1/entries/{digest}` answers); throughput counts committed entries per second.
/// Baselines measured in the same run: one HTTP round trip (`GET /health`) and one fsync'd
/// SQLite insert on the same disk.
enum ClusterBenchmarks {
    static let concurrencyLevels = [1, 8, 64, 256]
    static let secondsPerLevel = 4.0

    static func run() async throws -> String {
        let cluster = try BenchCluster()
        defer { cluster.stop() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)))
        do {
            let text = try await report(cluster, client)
            try await client.shutdown()
            return text
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// What the clients submit: signed transfer requests from a bot registered through
    /// governance, each verified by the gateway before it queues it and verified and decided by
    /// the policy on every node (the cost of a request). Nothing else: every entry in the log is
    /// of a kind the nodes know and signed (`ReplicatedState.entryKinds`).
    enum Workload {
        case botRequests(BotSigningKey, cluster: [UInt8])

        var title: String {
            switch self {
            case .botRequests: return "signed bot requests (verified by the gateway, verified and decided by the policy on every node)"
            }
        }
    }

    private static func report(_ cluster: BenchCluster, _ client: HTTPClient) async throws -> String {
        try await cluster.start(client)
        let baseline = try await cluster.roundTrips(client)
        let fsync = try fsyncedInserts(in: cluster.root)
        let bot = try await cluster.registerBot(client, id: "risk-bot", role: "risk-bot")
        var text = ""
        for workload in [Workload.botRequests(bot, cluster: cluster.genesis)] {
            text += try await report(workload, cluster, client, baseline: baseline, fsync: fsync) + "\n"
        }
        return text
    }

    private static func report(_ workload: Workload, _ cluster: BenchCluster, _ client: HTTPClient,
                               baseline: Measurement, fsync: Measurement) async throws -> String {
        var section = Section("Replicated log end to end, \(workload.title): n = 4 (q = 3), five processes on loopback, vs one HTTP round trip",
                              baseline: baseline)
        section.add(fsync, note: "one row, WAL, synchronous=FULL, same disk: the cost of one durable write")

        // Warm-up: connections, page caches, the first blocks.
        _ = try await load(workload, cluster, client, clients: 8, seconds: 1)
        var cpuRows: [String] = []
        for clients in concurrencyLevels {
            let cpuBefore = cluster.cpuSeconds()
            let selfBefore = processCPUSeconds()
            let result = try await load(workload, cluster, client, clients: clients, seconds: secondsPerLevel)
            let cpuAfter = cluster.cpuSeconds()
            let entries = Double(result.latencies.count)
            func perEntry(_ seconds: Double) -> String { formatNanoseconds(seconds * 1e9 / max(entries, 1)) }
            let nodes = cluster.nodeIDs.map { (cpuAfter[$0] ?? 0) - (cpuBefore[$0] ?? 0) }
            cpuRows.append("| \(clients) | \(perEntry((cpuAfter["gateway"] ?? 0) - (cpuBefore["gateway"] ?? 0))) | "
                + "\(perEntry(nodes.reduce(0, +) / Double(nodes.count))) | \(perEntry(processCPUSeconds() - selfBefore)) |")
            let goal = clients == concurrencyLevels.last ? "; goal ≥ 2,000 entries/s, p50 < 10 ms" : ""
            section.add(Measurement(name: "commit latency, \(clients) concurrent client\(clients == 1 ? "" : "s")",
                                    samples: result.latencies.sorted()),
                        note: "\(Int(result.entriesPerSecond.rounded())) committed entries/s, "
                            + "\(formatFixed(result.entriesPerBlock, digits: 1)) entries/block, "
                            + "p50 = \(Int(result.medianFsyncs(fsync).rounded())) × one fsync'd insert\(goal)")
        }
        let cpu = ["CPU time per committed entry, \(workload.title) (user + system, from /proc; the machine has \(ProcessInfo.processInfo.activeProcessorCount) cores):", "",
                   "| clients | gateway | one node (mean of 4) | load generator (HTTP clients) |", "|---:|---:|---:|---:|"]
            + cpuRows + [""]
        return section.render() + "\n" + cpu.joined(separator: "\n")
    }

    /// CPU time (user + system, seconds) this process has used.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    struct LoadResult {
        var latencies: [UInt64]
        var entriesPerSecond: Double
        var entriesPerBlock: Double

        func medianFsyncs(_ fsync: Measurement) -> Double {
            Measurement(name: "", samples: latencies.sorted()).p50 / fsync.p50
        }
    }

    /// `clients` tasks each submit an entry, wait until it committed, and repeat, for `seconds`.
    static func load(_ workload: Workload, _ cluster: BenchCluster, _ client: HTTPClient, clients: Int, seconds: Double) async throws -> LoadResult {
        let heightBefore = try await cluster.committedHeight(client)
        let start = nowNanoseconds()
        let deadline = start + UInt64(seconds * 1e9)
        let latencies = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for c in 0..<clients {
                group.addTask {
                    var samples: [UInt64] = []
                    var sequence = 0
                    while nowNanoseconds() < deadline {
                        sequence += 1
                        let (path, body) = try submission(workload, tag: "\(c)-\(sequence)-\(start)")
                        let begin = nowNanoseconds()
                        let accepted = try await cluster.post(client, path, body: body)
                        let receipt = try JSONDecoder().decode(EntryReceipt.self, from: accepted)
                        let committed = try await cluster.get(client, "/v1/entries/\(receipt.entry)?wait=20000")
                        _ = try JSONDecoder().decode(EntryCommitted.self, from: committed)
                        samples.append(nowNanoseconds() - begin)
                    }
                    return samples
                }
            }
            var all: [UInt64] = []
            for try await samples in group { all += samples }
            return all
        }
        let elapsed = Double(nowNanoseconds() - start) / 1e9
        let blocks = try await cluster.committedHeight(client) - heightBefore
        return LoadResult(latencies: latencies, entriesPerSecond: Double(latencies.count) / elapsed,
                          entriesPerBlock: Double(latencies.count) / Double(max(blocks, 1)))
    }

    /// One submission: where it is posted and its body. `tag` makes it unique.
    static func submission(_ workload: Workload, tag: String) throws -> (path: String, body: Data) {
        switch workload {
        case .botRequests(let key, let genesis):
            // The example policy's routine top-up, as the risk bot signs it (fresh id and nonce).
            let body = #"{"id": "bench-\#(tag)", "kind": "transfer", "initiator": "risk-bot", "vault": "hot-trading", "chain": "ethereum", "#
                + #""asset": "USDC", "amount": "750000", "fee": "0.004", "destination": "0x2E6D88F471C41BD6DC54146E5EEA659498CCBA8F"}"#
            let signed = SignedRequest(body: try JSONParser().parse(Array(body.utf8)), cluster: genesis, keyId: "risk-bot",
                                       timestamp: Int64(Date().timeIntervalSince1970 * 1000),
                                       nonce: Base64URL.encode(SecureRandom.bytes(count: 18)), key: key)
            return ("/v1/requests", Data(signed.jsonBytes))
        }
    }

    /// One small row inserted per write transaction, WAL, synchronous=FULL (the nodes' and the
    /// gateway's setting), in the benchmark's folder.
    static func fsyncedInserts(in folder: URL) throws -> Measurement {
        let configuration = Configuration()
        let pool = try DatabasePool(path: folder.appendingPathComponent("baseline.sqlite").path, configuration: configuration)
        // Set on the open pool: GRDB sets NORMAL on the writer when it turns WAL on.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try pool.write { db in try db.execute(sql: "CREATE TABLE sample (id INTEGER PRIMARY KEY, value BLOB NOT NULL)") }
        let value = Data(repeating: 7, count: 100)
        return try measure("one fsync'd SQLite insert", iterations: 300, warmup: 20) {
            try pool.write { db in try db.execute(sql: "INSERT INTO sample (value) VALUES (?)", arguments: [value]) }
        }
    }
}
