import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosNode
import CustosTestSupport
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization
import Testing

/// The soak test (issue #13): one gateway and four nodes (n = 4, f = 1, q = 3) as real processes
/// on 127.0.0.1 under sustained load for 60 s, while nodes and the gateway are SIGKILLed and
/// restarted at random and a proxy between the nodes and the gateway (`Tests/python/soak_proxy.py`)
/// delays every chunk, cuts connections and partitions them all from time to time. Afterwards:
/// every node holds the same chain and the same state digest; every entry the gateway accepted
/// committed exactly once, and every entry seen committed during the run stayed at its height; no
/// node signed two different blocks at one height and round (the votes are read off the wire by
/// the proxy and compared with what each node recorded before sending). The run prints its figures
/// (entries committed, faults injected, the longest stall) and its seed, which replays the kills'
/// schedule (`CUSTOS_SOAK_SEED`; the proxy's faults also follow the traffic). No assertion on any time.
// Half a turn: alone, its turn kept the CPU 51 % busy (make test, 2026-12-08).
@Suite(.halfExclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct SoakTests {
    static let faultPeriod: Duration = .seconds(60)

    @Test func oneChainEverywhereAfterKillsRestartsAndAFlakyNetwork() async throws {
        let seed = ProcessInfo.processInfo.environment["CUSTOS_SOAK_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
        // The kills' schedule comes from the seed alone; the proxy's faults also follow the traffic.
        var random = SeededGenerator(seed: seed)
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        let run = SoakRun()
        var proxy: SoakProxy?
        var load: Task<Void, Never>?
        var monitor: Task<Duration, Never>?
        // Whatever ends the test, every task and process it started stops.
        defer {
            run.stop()
            load?.cancel()
            monitor?.cancel()
            proxy?.stop()
            cluster.stopAll(removeData: passed)
        }
        try await cluster.startGateway()
        run.gateway = cluster.baseURL
        let flaky = try await SoakProxy.start(in: cluster.root, upstreamPortFile: cluster.root.appendingPathComponent("gateway.port"),
                                              seed: random.next() >> 1)
        proxy = flaky
        for id in cluster.nodeIDs { try cluster.startNode(id, gateway: flaky.url) }
        load = Task { await run.submit(submitters: 4) }
        monitor = Task { await run.watchHeight() }

        // Faults: one process down at a time (so a quorum of three nodes can exist), chosen and
        // timed by the seeded generator; each comes back after a while.
        var faults: [String: Int] = [:]
        var observed: [String: UInt64] = [:]
        var observedBlocks: Set<String> = []
        let end = ContinuousClock.now + Self.faultPeriod
        var nextFault = ContinuousClock.now + .milliseconds(Int.random(in: 2000...4000, using: &random))
        var nextLook = ContinuousClock.now + .seconds(3)
        var down: (name: String, back: ContinuousClock.Instant)?
        while ContinuousClock.now < end {
            if let d = down, ContinuousClock.now >= d.back {
                try await restart(d.name, cluster: cluster, proxy: flaky, run: run)
                down = nil
                nextFault = ContinuousClock.now + .milliseconds(Int.random(in: 1500...4500, using: &random))
            }
            if down == nil, ContinuousClock.now >= nextFault {
                let name = Int.random(in: 0..<4, using: &random) == 0 ? "gateway" : cluster.nodeIDs.randomElement(using: &random)!
                if name == "gateway" { cluster.killGateway(signal: SIGKILL) } else { cluster.killNode(name, signal: SIGKILL) }
                faults["\(name == "gateway" ? "gateway" : "node") SIGKILL", default: 0] += 1
                let outage = name == "gateway" ? Int.random(in: 300...2000, using: &random) : Int.random(in: 500...4000, using: &random)
                down = (name, ContinuousClock.now + .milliseconds(outage))
            }
            if ContinuousClock.now >= nextLook {
                // What some running node has committed now: it must still be there, at the same height, at the end.
                if let id = cluster.nodeIDs.filter({ cluster.nodes[$0] != nil }).randomElement(),
                   let status = try? await cluster.status(id) {
                    observed.merge(status.entryHeights) { first, _ in first }
                    observedBlocks.formUnion(status.chain)
                }
                nextLook = ContinuousClock.now + .seconds(3)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if let d = down { try await restart(d.name, cluster: cluster, proxy: flaky, run: run) }
        run.stop()
        await load?.value
        let longestStall = await monitor?.value ?? .zero
        let (accepted, uncertain) = run.submitted()
        #expect(accepted.count > 100, "the load generator got only \(accepted.count) entries accepted")

        // Every accepted entry commits on every node, and the nodes agree (still through the proxy).
        let faultsOver = ContinuousClock.now
        let statuses = try await cluster.waitUntil(cluster.nodeIDs, seconds: 300, readsOnlyCommittedState: true) { s in
            let chains = Set(s.values.map(\.chain))
            return chains.count == 1 && s.values.allSatisfy { status in accepted.allSatisfy { status.entryHeights[$0] != nil } }
        }
        let catchUp = ContinuousClock.now - faultsOver
        flaky.stop()
        let reference = try #require(statuses["node-1"])
        for id in cluster.nodeIDs {
            let status = try #require(statuses[id])
            #expect(status.chain == reference.chain, "\(id) holds another chain")
            #expect(status.signingHalts.isEmpty, "\(id) halted signing: \(status.signingHalts)")
            #expect(status.stateDigests == reference.stateDigests, "\(id)'s state digests differ")
        }
        #expect(reference.stateDigests.last?.height == reference.height, "no state digest at the head")

        // Committed once each, and nothing seen committed moved or went away.
        var occurrences: [String: Int] = [:]
        for block in reference.blocks { for entry in block.entries { occurrences[entry, default: 0] += 1 } }
        for key in accepted { #expect(occurrences[key] == 1, "an accepted entry committed \(occurrences[key] ?? 0) times") }
        for key in uncertain { #expect((occurrences[key] ?? 0) <= 1, "an entry committed twice") }
        let heights = reference.entryHeights
        #expect(!observed.isEmpty && !observedBlocks.isEmpty, "no node's committed chain was read during the faults")
        let blocks = Set(reference.chain)
        for block in observedBlocks.sorted() { #expect(blocks.contains(block), "block \(block), seen committed, is gone") }
        for (key, height) in observed { #expect(heights[key] == height, "an entry seen committed at \(height) is now at \(heights[key].map(String.init) ?? "nowhere")") }

        // No node signed two blocks at one height and round, and every vote on the wire is in its
        // node's vote record; every vote of every certificate was read off the wire (so the
        // capture missed none that counted).
        let wire = try flaky.capturedVotes()
        let seen = Set(wire.votes.map { "\($0.voter) \($0.height) \($0.blockHash.bytes.hexString)" })
        for block in reference.blocks {
            for voter in block.voters {
                #expect(seen.contains("\(voter) \(block.height) \(block.hash)"), "\(voter)'s vote for block \(block.height) was not read off the wire")
            }
        }
        var signed: [String: Set<LedgerHash>] = [:]
        for vote in wire.votes { signed["\(vote.voter) \(vote.height) \(vote.round)", default: []].insert(vote.blockHash) }
        let conflicting = signed.filter { $0.value.count > 1 }.keys.sorted()
        #expect(conflicting.isEmpty, "votes for two blocks at one height and round: \(conflicting)")
        var recorded: [String: [UInt64: [(round: UInt32, blockHash: [UInt8], vote: [UInt8])]]] = [:]
        for vote in wire.votes {
            let voter = vote.voter.rawValue
            if recorded[voter]?[vote.height] == nil {
                let database = try NodeDatabase(path: cluster.nodeData(voter).appendingPathComponent("votes.sqlite").path)
                recorded[voter, default: [:]][vote.height] = try database.votes(at: vote.height)
            }
            let mine = recorded[voter]?[vote.height] ?? []
            #expect(mine.contains { $0.round == vote.round && $0.blockHash == vote.blockHash.bytes },
                    "\(voter) sent a vote at height \(vote.height) round \(vote.round) that its database does not hold")
        }

        let stats = flaky.stats()
        #expect(stats["connections", default: 0] > 0, "the proxy wrote no figures")
        #expect(stats["unparsed_streams"] == 0, "the proxy could not read \(stats["unparsed_streams"] ?? -1) request streams: votes may be missing")
        for (name, count) in stats where ["cuts", "partitions", "refused"].contains(name) { faults["proxy \(name)", default: 0] += count }
        let entries = reference.blocks.reduce(0) { $0 + $1.entries.count }
        print("soak (seed \(seed), \(Self.faultPeriod.components.seconds) s of faults): \(accepted.count) entries accepted, "
              + "\(uncertain.count) unanswered; \(entries) entries committed in \(reference.height) blocks; "
              + "faults: \(faults.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")); "
              + "longest stall \(longestStall.wholeMilliseconds) ms; every node caught up \(catchUp.wholeMilliseconds) ms after the faults; "
              + "\(wire.votes.count) votes and \(wire.roundChanges) round changes read off the wire, none conflicting")
        passed = true
    }

    private func restart(_ name: String, cluster: LocalCluster, proxy: SoakProxy, run: SoakRun) async throws {
        if name == "gateway" {
            try await cluster.startGateway()
            run.gateway = cluster.baseURL
        } else {
            try cluster.startNode(name, gateway: proxy.url)
        }
    }
}

/// The load and the watch of one soak run, shared by its tasks.
final class SoakRun: Sendable {
    private struct Progress {
        var gateway = ""
        var stopped = false
        var accepted: [String] = []
        var uncertain: [String] = []
    }
    private let progress: Mutex<Progress>

    init() { progress = Mutex(Progress()) }

    var gateway: String {
        get { progress.withLock { $0.gateway } }
        set { progress.withLock { $0.gateway = newValue } }
    }
    var stopped: Bool { progress.withLock { $0.stopped } }
    func stop() { progress.withLock { $0.stopped = true } }

    /// The keys (`TestNote.key`) the gateway accepted, and those whose submission got no answer
    /// (the gateway died under it: they may or may not have been queued).
    func submitted() -> (accepted: [String], uncertain: [String]) { progress.withLock { ($0.accepted, $0.uncertain) } }

    /// `submitters` tasks each submit notes one after another until stopped. A refusal for load
    /// (429, 503) is retried with the same note; an unanswered one moves on to the next note.
    func submit(submitters: Int) async {
        await withTaskGroup(of: Void.self) { group in
            for s in 0..<submitters {
                group.addTask {
                    var i = 0
                    while !self.stopped {
                        let note = "soak-\(s)-\(i)"
                        guard let key = try? TestNote.key(note), let request = try? ClusterLoopbackTests.noteRequest(note, to: self.gateway)
                        else { return }
                        do {
                            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
                            _ = try? await response.body.collect(upTo: 1 << 20)
                            if response.status == .accepted {
                                self.progress.withLock { $0.accepted.append(key) }
                                i += 1
                                try? await Task.sleep(for: .milliseconds(50))
                            } else {
                                try? await Task.sleep(for: .milliseconds(100))
                            }
                        } catch {
                            self.progress.withLock { $0.uncertain.append(key) }
                            i += 1
                            try? await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
            }
        }
    }

    /// Polls the gateway's committed height until stopped; answers the longest time without a
    /// new committed height (the gateway down counts as no progress).
    func watchHeight() async -> Duration {
        var height: UInt64 = 0
        var since = ContinuousClock.now
        var longest: Duration = .zero
        while !stopped {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: gateway + "/health"), timeout: .seconds(1)),
               let body = try? await response.body.collect(upTo: 1 << 16),
               let health = try? JSONDecoder().decode(GatewayHealth.self, from: Data(buffer: body)),
               health.committedHeight > height {
                height = health.committedHeight
                since = ContinuousClock.now
            }
            longest = max(longest, ContinuousClock.now - since)
            try? await Task.sleep(for: .milliseconds(200))
        }
        return longest
    }
}

/// `Tests/python/soak_proxy.py` run by the test venv's interpreter: the nodes' flaky way to the gateway.
final class SoakProxy: @unchecked Sendable {
    // @unchecked: `process` is set once in `start`; `Process` itself is thread-safe for terminate.
    let process: Process
    let url: String
    let capture: URL
    let statsFile: URL

    private init(process: Process, url: String, capture: URL, statsFile: URL) {
        self.process = process
        self.url = url
        self.capture = capture
        self.statsFile = statsFile
    }

    static func start(in folder: URL, upstreamPortFile: URL, seed: UInt64) async throws -> SoakProxy {
        let portFile = folder.appendingPathComponent("proxy.port")
        let capture = folder.appendingPathComponent("proxy-votes.jsonl")
        let stats = folder.appendingPathComponent("proxy-stats.json")
        let process = Process()
        process.executableURL = PythonPeer.interpreter
        process.arguments = [TestEnvironment.packageRoot.appendingPathComponent("Tests/python/soak_proxy.py").path,
                             "--port-file", portFile.path, "--upstream-port-file", upstreamPortFile.path,
                             "--capture", capture.path, "--stats", stats.path, "--seed", "\(seed)"]
        let log = folder.appendingPathComponent("proxy.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = ContinuousClock.now + TestPatience.standard
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                return SoakProxy(process: process, url: "http://127.0.0.1:\(port)", capture: capture, statsFile: stats)
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw TestEnvironmentError("the soak proxy did not start; log: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// Ends the proxy (SIGTERM, so it writes its figures), waiting a bounded time.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<200 where process.isRunning { usleep(25_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The proxy's fault counts (written when it stops).
    func stats() -> [String: Int] {
        (try? JSONDecoder().decode([String: Int].self, from: Data(contentsOf: statsFile))) ?? [:]
    }

    private struct Captured: Decodable {
        var path: String
        var body: String
    }

    /// The votes the nodes sent (decoded, not verified), and how many round changes.
    func capturedVotes() throws -> (votes: [Vote], roundChanges: Int) {
        let text = try String(contentsOf: capture, encoding: .utf8)
        var votes: [Vote] = []
        var roundChanges = 0
        for line in text.split(separator: "\n") {
            let captured = try JSONDecoder().decode(Captured.self, from: Data(line.utf8))
            guard let body = Data(base64Encoded: captured.body) else { throw TestEnvironmentError("an unreadable capture line") }
            if captured.path == "/v1/round-changes" {
                roundChanges += 1
                continue
            }
            let message = try JSONDecoder().decode(VoteMessage.self, from: body)
            guard let serialized = Data(base64Encoded: message.vote) else { throw TestEnvironmentError("a vote that is not base64") }
            votes.append(try Vote(serialized: Array(serialized)))
        }
        return (votes, roundChanges)
    }
}
