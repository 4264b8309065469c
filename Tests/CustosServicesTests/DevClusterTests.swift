import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosTestSupport
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

/// `custos dev up` (what `make run` starts): a whole cluster from nothing, stopped cleanly by
/// Ctrl-C (SIGINT), and resumed — same cluster, same committed state — by running it again.
// Half a turn: alone, its turn kept the CPU 37 % busy (make test, 2026-12-08).
@Suite(.halfExclusiveProcesses, .serialized, .timeLimit(.minutes(12)))
struct DevClusterTests {
    /// A running `custos dev up` and the gateway URL its banner announced.
    final class Up: @unchecked Sendable {
        // @unchecked: `output` is appended by the pipe's handler under `lock` and read under it.
        let process = Process()
        private let lock = NSLock()
        private var output = ""
        private let pipe = Pipe()

        init(dir: URL) throws {
            process.executableURL = CustosExecutable.url
            // The local EVM chain on a free port, from the repository's .venv, its scripts found from the package root (as make run finds them).
            process.arguments = ["dev", "up", "--dir", dir.path, "--port", "0", "--chain-port", "0",
                                 "--python", TestEnvironment.packageRoot.appendingPathComponent(".venv/bin/python").path,
                                 "--policy", TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml").path]
            process.currentDirectoryURL = TestEnvironment.packageRoot
            process.standardOutput = pipe
            process.standardError = pipe
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let chunk = String(decoding: handle.availableData, as: UTF8.self)
                guard let self else { return }
                self.lock.withLock { self.output += chunk }
            }
            try process.run()
        }

        var text: String { lock.withLock { output } }

        /// The gateway URL from the banner, waiting (bounded: 3 minutes; a first start makes the
        /// demo organisation, its vaults, signatures and local chain) for it.
        func gateway() async throws -> String {
            for _ in 0..<1800 {
                if let line = text.split(separator: "\n").first(where: { $0.contains("gateway   http://127.0.0.1:") }),
                   let url = line.split(separator: " ").first(where: { $0.hasPrefix("http://") }) {
                    return String(url)
                }
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TestEnvironmentError("no banner from custos dev up; output: \(text)")
        }

        /// Stops reading its output and closes the pipe, as `tee` does when Ctrl-C ends it.
        func closeOutput() {
            pipe.fileHandleForReading.readabilityHandler = nil
            try? pipe.fileHandleForReading.close()
        }

        /// The processes it started (children still attached to it), from /proc.
        var children: [Int32] { DevClusterTests.children(of: process.processIdentifier) }

        /// SIGINT, as Ctrl-C sends; returns the exit status (bounded wait, then SIGKILL).
        func interrupt() -> Int32 {
            kill(process.processIdentifier, SIGINT)
            for _ in 0..<300 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// GET and decode; nil when nothing answers.
    static func get<T: Decodable>(_ url: String) async throws -> T? {
        guard let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5)) else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(buffer: try await response.body.collect(upTo: 1 << 24)))
    }

    static func answers(_ url: String) async -> Bool {
        (try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2))) != nil
    }

    /// One cluster made by `dev up` for the whole lifecycle (making the demo organisation, its
    /// three vaults and its signatures is the expensive part): Ctrl-C stops everything and the
    /// same command resumes it; then however `dev up` ends, its children end with it.
    @Test func devUpStopsEverythingHoweverItEndsAndRunningAgainResumesTheSameCluster() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("custos-dev-\(UUID().uuidString)")
        var passed = false
        defer { if passed { try? FileManager.default.removeItem(at: dir) } }
        try await ctrlCStopsEverythingAndRunningAgainResumesTheSameCluster(dir)
        passed = try await theChildrenStopWithDevUpHoweverItEnds(dir)
    }

    func ctrlCStopsEverythingAndRunningAgainResumesTheSameCluster(_ dir: URL) async throws {
        let first = try Up(dir: dir)
        // On failure too: SIGINT first, so that `dev up` stops its children (a SIGKILL would orphan them).
        defer { if first.process.isRunning { _ = first.interrupt() } }
        let gateway = try await first.gateway()
        #expect(first.text.contains("Created the development cluster"))
        // The local chain: the demo vault's first EVM address funded, USDC deployed there and
        // registered through governance; the gateway reads the balances through the chain.
        #expect(first.text.contains("Local EVM chain") && first.text.contains("ETH and USDC registered through governance")
                && first.text.contains("custos vault balances --gateway \(gateway) hot-trading"), "\(first.text)")
        #expect(first.text.contains("executor  executor-bot proposes parameters, broadcasts and records receipts on devnet"), "\(first.text)")
        // The risk bot's routine transfer, submitted on start, allowed by the policy (priced by
        // the price bot), signed by the vault and mined; the banner names its transaction.
        let routine = try #require(Self.routineTransaction(first.text), "\(first.text)")
        let requests: [RequestView] = try #require(try await Self.get(gateway + "/v1/requests"))
        let mined = try #require(requests.first { $0.transaction?.transactionHash == routine }, "\(requests.map(\.id))")
        #expect(mined.transaction?.status == "mined" && mined.transaction?.receipt?.mismatches == [] && mined.transaction?.to.lowercased()
                == "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f", "\(String(describing: mined.transaction))")
        #expect(first.text.contains("custos request show --gateway \(gateway) \(mined.id)"), "\(first.text)")
        let read = try await CustosExecutable.run(["vault", "balances", "--gateway", gateway, "--json", "hot-trading"])
        let balances = try JSONDecoder().decode(VaultBalancesView.self, from: Data(read.stdout.utf8))
        let funded = try #require(balances.accounts.first { $0.chain == "devnet" && $0.path == "m" }, "\(read.stdout) \(read.stderr)")
        // 100 ETH funded, less the routine 0.01 and its gas.
        #expect(funded.balances.map(\.symbol) == ["ETH", "USDC"] && funded.balances[0].amount?.hasPrefix("99.98") == true
                && funded.balances[1].amount == "1000000.00", "\(funded)")
        #expect(balances.source.hasPrefix("read by the gateway from devnet at http://127.0.0.1:"), "\(balances.source)")
        _ = try await CustosExecutable.run(["op", "propose", "--gateway", gateway, "--as", dir.appendingPathComponent("credentials/erin.json").path,
                                      "--id", "add-dave", "add-user", "dave", "trader"])
        var committed: ClusterView?
        for _ in 0..<200 {
            if let view: ClusterView = try await Self.get(gateway + "/v1/cluster"), view.committedHeight >= 1 { committed = view; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let before = try #require(committed, "nothing committed; output: \(first.text)")
        let monitorPorts = try (1...4).map { try String(contentsOf: dir.appendingPathComponent("nodes/node-\($0)/monitor.port"), encoding: .utf8) }

        // The demo risk bot was registered through governance; its signed request is decided by
        // every node, and the same envelope sent again is refused as a replay: by the gateway
        // (401) once the first has committed, else by every node, which records the refusal.
        let bots: [BotView] = try #require(try await Self.get(gateway + "/v1/bots"))
        #expect(bots.map(\.id) == ["executor-bot", "price-bot-1", "price-bot-2", "price-bot-3", "risk-bot"], "the risk bot, the executor and the price bots")
        let keyFile = try JSONDecoder().decode(BotKeyFile.self, from: Data(contentsOf: dir.appendingPathComponent("credentials/risk-bot.bot.json")))
        let body = try JSONParser().parse(Array(try Data(contentsOf: TestEnvironment.packageRoot.appendingPathComponent(
            "examples/policies/requests/risk-bot-kraken.json"))))
        let cluster: ClusterView = try #require(try await Self.get(gateway + "/v1/cluster"))
        let genesis = try [UInt8](hex: cluster.genesisDocumentDigest)
        let envelope = SignedRequest(body: body, cluster: genesis, keyId: "risk-bot", timestamp: Int64(Date().timeIntervalSince1970 * 1000),
                                     nonce: "demo-nonce-0000000001", key: try keyFile.signingKey())
        var replayQueued = false
        for attempt in 0..<2 {
            var request = HTTPClientRequest(url: gateway + "/v1/requests")
            request.method = .POST
            request.body = .bytes(ByteBuffer(bytes: envelope.jsonBytes))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let answer = String(buffer: try await response.body.collect(upTo: 1 << 16))
            if attempt == 0 || response.status == .accepted {
                #expect(response.status == .accepted, "\(answer)")
                replayQueued = attempt == 1
            } else {
                #expect(response.status == .unauthorized && answer.contains("entry.unauthenticated") && answer.contains("replayedNonce"),
                        "the replay: \(response.status) \(answer)")
            }
        }
        var decided: GovernanceSnapshot?
        for _ in 0..<200 {
            if let state: GovernanceSnapshot = try await Self.get(gateway + "/v1/state"), state.requests.count == 4,
               !replayQueued || state.refusals.contains(where: { $0.requestSigning == "replayedNonce" }) { decided = state; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let state = try #require(decided, "the request was not decided and its replay refused")
        #expect(state.requests.map(\.initiator) == ["risk-bot", "risk-bot", "risk-bot", "risk-bot"])
        let messages = state.requests.filter { $0.signing != nil && $0.transaction == nil }
        #expect(messages.count == 2 && messages.allSatisfy { $0.signing?.status == "signed" },
                "the demo login challenge and withdrawal authorisation were signed at first start")
        #expect(state.vaults.map(\.status) == ["active", "active", "active"], "one vault of each scheme, generated by the nodes")
        #expect(first.text.contains("signed by sol-treasury") && first.text.contains("signed by hot-trading"))
        #expect(state.requests.last?.outcome == "allow", "priced by the three price bots, within the risk bot's limits: \(state.requests.last?.explanation ?? [])")
        for i in 1...4 {
            let out = try await CustosExecutable.run(["node", "status", "--data", dir.appendingPathComponent("nodes/node-\(i)").path])
            let status = try JSONDecoder().decode(NodeStatusView.self, from: Data(out.stdout.utf8))
            #expect(status.governance?.requests == state.requests || (status.governance?.height ?? 0) < state.height, "node-\(i) decided otherwise")
        }

        #expect(first.interrupt() == 0, "output: \(first.text)")
        #expect(first.text.contains("stopped; run the same command again"))
        // Every process is gone: the gateway and the nodes' monitors no longer answer.
        #expect(await !Self.answers(gateway + "/health"))
        for port in monitorPorts {
            let url = "http://127.0.0.1:\(port.trimmingCharacters(in: .whitespacesAndNewlines))/health"
            #expect(await !Self.answers(url), "a node still answers on \(port)")
        }

        let second = try Up(dir: dir)
        defer { if second.process.isRunning { _ = second.interrupt() } }
        let again = try await second.gateway()
        #expect(!second.text.contains("Created the development cluster"))
        let after: ClusterView = try #require(try await Self.get(again + "/v1/cluster"))
        #expect(after.genesisDigest == before.genesisDigest)
        #expect(after.committedHeight >= before.committedHeight)
        let operations: [OperationView] = try #require(try await Self.get(again + "/v1/operations"))
        #expect(operations.map(\.id) == ["add-risk-bot", "add-executor-bot", "add-price-bot-1", "add-price-bot-2", "add-price-bot-3", "create-hot-trading", "create-btc-treasury", "create-sol-treasury", "register-devnet-eth",
                                          "register-devnet-usdc", "add-dave"])
        // The chain keeps its data (review L4: a fresh chain with the same id would take old
        // signatures again): its journal holds the three funding transactions (the token's
        // deployment, the ether and the USDC), replayed at the start and not sent again, and
        // each start's routine transfer, the second at the next nonce.
        let journal = try String(contentsOf: dir.appendingPathComponent("evm-devnet.journal"), encoding: .utf8)
        #expect(journal.split(separator: "\n").count == 5, "\(journal)")
        let secondRoutine = try #require(Self.routineTransaction(second.text), "\(second.text)")
        #expect(secondRoutine != routine)
        let resumed = try await CustosExecutable.run(["vault", "balances", "--gateway", again, "--json", "hot-trading"])
        let again2 = try JSONDecoder().decode(VaultBalancesView.self, from: Data(resumed.stdout.utf8))
        // Not funded again: less a second routine transfer.
        let after2 = again2.accounts.first { $0.chain == "devnet" }?.balances.map(\.amount)
        #expect(after2?.first??.hasPrefix("99.97") == true && after2?.last == "1000000.00", "\(resumed.stdout) \(resumed.stderr)")
        try await theBannersFourEyesTransferGoesThroughAsPrinted(second.text, gateway: again)
        try await theDrillsRunAndReport(dir, gateway: again)
        #expect(second.interrupt() == 0)
    }

    /// The banner's 4-eyes walk-through, its commands run as printed: alice's 300,000 USDC to
    /// the exchange waits for one more treasury person (her own approval does not count), and
    /// bob's approval gets it signed by the vault and mined.
    func theBannersFourEyesTransferGoesThroughAsPrinted(_ banner: String, gateway: String) async throws {
        let walk = try #require(banner.components(separatedBy: "Try a 4-eyes transfer").dropFirst().first, "\(banner)")
        var commands: [[String]] = [], pending = ""
        for line in walk.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) where commands.count < 3 {
            guard line.hasPrefix("custos ") || !pending.isEmpty else { continue }
            if line.hasSuffix("\\") { pending += line.dropLast() + " "; continue }
            let command = (pending + line).components(separatedBy: "  (")[0]
            commands.append(command.split(separator: " ").dropFirst().map(String.init))
            pending = ""
        }
        try #require(commands.count == 3 && commands[0].starts(with: ["request", "transfer"]) && commands[2].starts(with: ["request", "approve"]),
                     "\(commands)")
        let asked = try await CustosExecutable.run(commands[0])
        let id = try #require(asked.stdout.split(separator: "\n").first { $0.hasPrefix("request ") }.map { String($0.dropFirst(8)) },
                              "\(asked.stdout) \(asked.stderr)")
        func request() async throws -> RequestView? {
            let all: [RequestView]? = try await Self.get(gateway + "/v1/requests")
            return all?.first { $0.id == id }
        }
        var held: RequestView?
        for _ in 0..<300 {
            if let r = try await request(), r.approvals != nil { held = r; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(held?.initiator == "alice" && held?.approvals?.status == "pending" && held?.transaction?.signingHash == nil,
                "\(String(describing: held))")
        let shown = try await CustosExecutable.run(commands[1].map { $0 == "ID" ? id : $0 })
        #expect(shown.stdout.contains("pending"), "\(shown.stdout) \(shown.stderr)")
        let approved = try await CustosExecutable.run(commands[2].map { $0 == "ID" ? id : $0 } + ["--yes"])
        #expect(approved.status == 0, "\(approved.stdout) \(approved.stderr)")
        var mined: RequestView?, last: RequestView?
        for _ in 0..<600 {
            last = try await request()
            if last?.transaction?.status == "mined" { mined = last; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let transaction = try #require(mined?.transaction, "not mined: \(String(describing: last))")
        #expect(mined?.approvals?.status == "approved" && transaction.receipt?.mismatches == [], "\(String(describing: mined))")
    }

    /// The transaction hash of the routine transfer a `dev up` banner names, if it was mined.
    static func routineTransaction(_ banner: String) -> String? {
        guard banner.contains("routine transfer of 0.01 ETH to kraken-devnet was signed and mined") else { return nil }
        return banner.split(separator: "\n").first { $0.hasPrefix("    transaction 0x") }.map { String($0.dropFirst(16)) }
    }

    /// The fields of /proc/PID/stat after the command name (the state first, then the parent's
    /// pid); nil once the process is gone.
    static func status(_ pid: Int32) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return nil
        }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    /// Whether `pid` still runs: it exists and is not a zombie waiting to be reaped.
    static func isRunning(_ pid: Int32) -> Bool { status(pid).map { $0.first != "Z" } ?? false }

    /// The running processes whose parent is `parent`.
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let fields = status(pid), fields.count > 1 else { return false }
            return fields[0] != "Z" && Int32(fields[1]) == parent
        }
    }

    /// Waits (bounded: 40 s) until none of `pids` runs; the ones still running.
    static func survivors(_ pids: [Int32]) async throws -> [Int32] {
        for _ in 0..<400 {
            if !pids.contains(where: isRunning) { return [] }
            try await Task.sleep(for: .milliseconds(100))
        }
        return pids.filter(isRunning)
    }

    /// However `dev up` ends, its gateway and nodes end with it: killed with SIGKILL (it can
    /// stop nobody), or its output closed (`make run | tee log` after Ctrl-C, a script that
    /// stopped reading) — then it stops them itself and exits. `dir` holds a cluster made
    /// before; whether no process was left behind.
    func theChildrenStopWithDevUpHoweverItEnds(_ dir: URL) async throws -> Bool {
        let killed = try Up(dir: dir)
        defer { if killed.process.isRunning { _ = killed.interrupt() } }
        _ = try await killed.gateway()
        let firstChildren = killed.children
        #expect(firstChildren.count == 8, "the local chain, the gateway, four nodes, the executor and the price bots: \(firstChildren)")
        kill(killed.process.processIdentifier, SIGKILL)
        killed.process.waitUntilExit()
        let orphans = try await Self.survivors(firstChildren)
        for pid in orphans { kill(pid, SIGKILL) }
        #expect(orphans.isEmpty, "still running after dev up was killed: \(orphans)")

        let unread = try Up(dir: dir)
        defer { if unread.process.isRunning { _ = unread.interrupt() } }
        _ = try await unread.gateway()
        let secondChildren = unread.children
        #expect(secondChildren.count == 8, "the local chain, the gateway, four nodes, the executor and the price bots: \(secondChildren)")
        unread.closeOutput()
        for _ in 0..<400 where unread.process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!unread.process.isRunning, "dev up kept running with its output closed")
        let left = try await Self.survivors(secondChildren)
        for pid in left { kill(pid, SIGKILL) }
        #expect(left.isEmpty, "still running after dev up's output closed: \(left)")
        return orphans.isEmpty && left.isEmpty
    }
}
