import ArgumentParser
import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import Dispatch
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// `custos dev up`: a whole development cluster on this machine — one gateway on 127.0.0.1 and
/// one process per signer node, each with its own data folder under `--dir` — created with the
/// demo organisation on first use and resumed afterwards. Ctrl-C (or SIGTERM) stops every process
/// gracefully; logs are in `<dir>/logs`.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev", abstract: "Run a local development cluster.", subcommands: [Up.self])

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start (creating it on first use) a gateway and four signer nodes; Ctrl-C stops them.")

        @Option(help: "The cluster's folder (created with the demo organisation if it holds none).") var dir: String = ".custos-dev"
        @Option(help: "The gateway's port on 127.0.0.1.") var port: Int = 8080
        @Option(help: "The policy for a new cluster.") var policy: String = "examples/policies/trading-firm.yaml"
        @Option(help: "The local EVM chain's port on 127.0.0.1 (0 picks a free one).") var chainPort: Int = 8545
        @Option(help: "The Python that runs the local EVM chain (the repository's virtual environment, which make run installs).")
        var python: String = ".venv/bin/python"

        func run() async throws {
            // A closed output must not kill this process before it has stopped its children.
            signal(SIGPIPE, SIG_IGN)
            let layout = DevLayout(dir)
            let created = !FileManager.default.fileExists(atPath: layout.clusterFile)
            if created {
                let initialize = try ClusterCommand.Init.parse(["--dir", dir, "--policy", try Self.genesisPolicy(policy), "--origin", "http://localhost:\(port)",
                                                                "--people", Self.people])
                try await initialize.run()
            }
            try FileManager.default.createDirectory(atPath: layout.logs, withIntermediateDirectories: true)
            let cluster = try JSONDecoder().decode(ClusterFileHead.self, from: Data(contentsOf: URL(fileURLWithPath: layout.clusterFile)))
            let supervisor = Supervisor(executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(), logs: layout.logs)

            // The local EVM chain first: the gateway reads balances through it.
            guard var chain = await Self.startChain(supervisor: supervisor, layout: layout, python: python, port: chainPort) else {
                supervisor.stopAll()
                fail("the local EVM chain did not start")
            }
            let portFile = layout.path("gateway.port")
            try? FileManager.default.removeItem(atPath: portFile)
            try supervisor.start("gateway", ["gateway", "--data", layout.gateway, "--cluster", layout.clusterFile,
                                             "--port", "\(port)", "--port-file", portFile, "--rpc", "\(DevChain.name)=\(chain.url)"])
            guard let bound = await supervisor.waitForPort(portFile, seconds: 30) else {
                supervisor.stopAll()
                fail("the gateway did not start; see \(layout.path("logs", "gateway.log"))")
            }
            let gateway = "http://127.0.0.1:\(bound)"
            var monitors: [String: Int] = [:]
            for member in cluster.members {
                let monitorFile = layout.path("nodes", member.id, "monitor.port")
                try? FileManager.default.removeItem(atPath: monitorFile)
                try supervisor.start(member.id, ["node", "run", "--data", layout.node(member.id), "--id", member.id,
                                                 "--cluster", layout.clusterFile, "--gateway", gateway,
                                                 "--passphrase-file", layout.passphrase, "--monitor-port", "0",
                                                 "--monitor-port-file", monitorFile])
                monitors[member.id] = await supervisor.waitForPort(monitorFile, seconds: 30)
            }
            if created, !(await Self.addDemoBot(supervisor: supervisor, gateway: gateway, layout: layout)) {
                supervisor.stopAll()
                fail("could not register the demo risk bot; see the output above")
            }
            if created, !(await Self.addExecutorBot(supervisor: supervisor, gateway: gateway, layout: layout)) {
                supervisor.stopAll()
                fail("could not register the demo executor bot; see the output above")
            }
            if created, !(await Self.addPriceBots(supervisor: supervisor, gateway: gateway, layout: layout)) {
                supervisor.stopAll()
                fail("could not register the development price bots; see the output above")
            }
            if created, !(await Self.createDemoVaults(supervisor: supervisor, gateway: gateway, layout: layout)) {
                supervisor.stopAll()
                fail("the demo vaults were not generated; see the output above and \(layout.logs)")
            }
            var signed: [DemoMessage: String] = [:]
            if created {
                for message in DemoMessage.allCases {
                    guard let id = await Self.signDemoMessage(message, supervisor: supervisor, gateway: gateway, layout: layout) else {
                        supervisor.stopAll()
                        fail("the risk bot's demo message to \(message.vault) was not signed; see the output above and \(layout.logs)")
                    }
                    signed[message] = id
                }
            }
            var vaults = (try? await Self.vaults(gateway)) ?? []
            // The demo token is deployed and the vault funded once; a restarted chain replays its journal and holds them already.
            guard let evm = vaults.first(where: { $0.id == "hot-trading" })?.addresses.first(where: { $0.chain == "evm" })?.address,
                  let usdc = Self.fundDemoVault(supervisor: supervisor, chain: chain, python: python, address: evm)
            else {
                supervisor.stopAll()
                fail("the demo vault hot-trading has no EVM address, or the local chain was not set up; see the output above")
            }
            chain.usdc = usdc
            if created, !(await Self.registerDemoAssets(supervisor: supervisor, gateway: gateway, layout: layout, chain: chain, usdc: usdc)) {
                supervisor.stopAll()
                fail("ETH and USDC on the local chain were not registered; see the output above")
            }
            vaults = (try? await Self.vaults(gateway)) ?? vaults
            chain.registered = await Self.registersDemoToken(gateway, chain: chain)
            let executor = Self.startExecutor(supervisor: supervisor, gateway: gateway, layout: layout, chain: chain)
            let priceBots = Self.startPriceBots(supervisor: supervisor, gateway: gateway, layout: layout)
            let routine = executor && priceBots && chain.registered
                ? await Self.routineTransfer(supervisor: supervisor, gateway: gateway, layout: layout)
                : RoutineTransfer(problem: "this cluster was made before make run registered an executor and price bots")
            let fourEyes = FileManager.default.fileExists(atPath: "\(dir)/credentials/\(Self.secondTreasurer).json")
            say(Self.banner(gateway: gateway, dir: dir, nodes: cluster.members.map(\.id), monitors: monitors, created: created, vaults: vaults,
                            signedRequests: signed, chain: chain, executor: executor, routine: routine, fourEyes: fourEyes))
            let code = await supervisor.runUntilSignalOrExit()
            if code != 0 { throw ExitCode(code) }
        }

        /// The policy file a new cluster starts with: `policy` made aware of the local chain
        /// (`DevelopmentChain.aware`), written to a temporary file; `policy` itself, said, when it lacks what that extends.
        static func genesisPolicy(_ policy: String) throws -> String {
            let text = try String(contentsOfFile: policy, encoding: .utf8)
            let (aware, missing) = DevelopmentChain.aware(text)
            guard let aware else {
                say("\(policy) has no \"\(missing ?? "?")\": the cluster starts with it unchanged, so nothing is signed on the local chain")
                return policy
            }
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-dev-policy-\(getpid()).yaml")
            try Data(aware.utf8).write(to: file)
            return file.path
        }

        /// The demo organisation's risk bot, registered as any bot is: erin proposes it, frank and
        /// grace approve, every node verifies the three assertions. Runs the CLI as child processes.
        static func addDemoBot(supervisor: Supervisor, gateway: String, layout: DevLayout) async -> Bool {
            say("registering the demo risk bot through governance (erin proposes, frank and grace approve)…")
            return await govern("add-risk-bot", ["add-bot", "risk-bot", "risk-bot", "--environment", "development"], approvers: ["frank", "grace"],
                                supervisor: supervisor, gateway: gateway, layout: layout)
        }

        /// The demo vaults, one of each scheme, created as any vault is: erin proposes, frank and
        /// grace approve; then the four signer nodes generate each key among themselves.
        static let demoVaults: [(id: String, scheme: String, label: String)] = [
            ("hot-trading", "ecdsa-secp256k1", "Hot trading (EVM)"),
            ("btc-treasury", "frost-taproot", "Bitcoin treasury (Taproot)"),
            ("sol-treasury", "frost-ed25519", "Solana treasury (Ed25519)"),
        ]

        static func createDemoVaults(supervisor: Supervisor, gateway: String, layout: DevLayout) async -> Bool {
            say("creating the demo vaults through governance; the signer nodes then generate each key among themselves…")
            for vault in demoVaults {
                let operation = "create-\(vault.id)"
                guard supervisor.runToEnd(["vault", "create", "--gateway", gateway, "--as", layout.credential("erin"),
                                           "--operation-id", operation, "--scheme", vault.scheme, "--environment", "development",
                                           "--label", vault.label, vault.id]) else { return false }
                guard await waitForOperation(gateway, operation, status: nil) else { return false }
                for approver in ["frank", "grace"] {
                    guard supervisor.runToEnd(["op", "approve", "--gateway", gateway, "--as", layout.credential(approver), "--yes", operation])
                    else { return false }
                    guard await waitForOperation(gateway, operation, status: nil, approvals: approver == "frank" ? 1 : 2) else { return false }
                }
            }
            for _ in 0..<600 {
                if let vaults = try? await Self.vaults(gateway), vaults.count == demoVaults.count {
                    if vaults.allSatisfy({ $0.status == "active" }) { return true }
                    if let failed = vaults.first(where: { $0.status == "failed" }) {
                        say("the key generation of \(failed.id) failed: \(failed.failure?.reason ?? "?")")
                        return false
                    }
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
            say("the demo vaults did not become active within a minute")
            return false
        }

        /// The risk bot's routine messages, which the example policy allows with no person
        /// involved: a trading venue's login challenge (raw bytes, the Solana treasury vault) and
        /// an exchange withdrawal authorisation (EIP-191 text, the hot trading vault).
        enum DemoMessage: String, CaseIterable {
            case venueLogin = "venue-login-1"
            case withdrawalAuthorisation = "withdrawal-authorisation-1"

            var vault: String { self == .venueLogin ? "sol-treasury" : "hot-trading" }
            var what: String { self == .venueLogin ? "a venue login challenge" : "an exchange withdrawal authorisation (EIP-191)" }

            /// The request's `message` member, fresh each first start.
            func message() -> String {
                let nonce = Base64URL.encode(SecureRandom.bytes(count: 12))
                switch self {
                case .venueLogin: return #"{"format": "raw", "hex": "\#(Array("venue login challenge \(nonce)".utf8).hexString)"}"#
                case .withdrawalAuthorisation:
                    return #"{"format": "eip191", "text": "Meridian Capital withdrawal authorisation: Kraken API key rotation \#(nonce)"}"#
                }
            }
        }

        /// Has the risk bot submit `demo` and waits for its signature: the request id once the
        /// signature is in the log (verified by every node), nil if it did not get there within a minute.
        static func signDemoMessage(_ demo: DemoMessage, supervisor: Supervisor, gateway: String, layout: DevLayout) async -> String? {
            say("the risk bot asks \(demo.vault) to sign \(demo.what) (allowed by policy, no person involved)…")
            let body = layout.path("demo-\(demo.rawValue).json")
            let text = """
                {"kind": "message", "id": "\(demo.rawValue)", "initiator": "risk-bot", "vault": "\(demo.vault)", "message": \(demo.message())}
                """
            guard FileManager.default.createFile(atPath: body, contents: Data(text.utf8)),
                  let out = supervisor.runToEndCapturing(["request", "submit", "--gateway", gateway, "--bot",
                                                          layout.credential("risk-bot.bot"), body]),
                  let id = out.split(separator: "\n").first(where: { $0.hasPrefix("request ") }).map({ String($0.dropFirst(8)) })
            else { return nil }
            for _ in 0..<600 {
                if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "\(gateway)/v1/requests/\(id)"), timeout: .seconds(2)),
                   response.status == .ok, let data = try? await response.body.collect(upTo: 1 << 20),
                   let request = try? JSONDecoder().decode(RequestView.self, from: Data(buffer: data)) {
                    if request.signing?.status == "signed" { return id }
                    if request.outcome != "allow" || request.signing?.status == "failed" {
                        say("the demo message was \(request.outcome), signing \(request.signing?.status ?? "not started"): \(request.signing?.failure ?? "")")
                        return nil
                    }
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
            return nil
        }

        static func vaults(_ gateway: String) async throws -> [VaultView] {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(gateway)/v1/vaults"), timeout: .seconds(2))
            let body = try await response.body.collect(upTo: 4 << 20)
            return try JSONDecoder().decode([VaultView].self, from: Data(buffer: body))
        }

        static func waitForOperation(_ gateway: String, _ id: String, status: String?, approvals: Int = 0) async -> Bool {
            for _ in 0..<300 {
                if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: "\(gateway)/v1/operations/\(id)"), timeout: .seconds(2)),
                   response.status == .ok,
                   let body = try? await response.body.collect(upTo: 1 << 20),
                   let detail = try? JSONDecoder().decode(OperationDetail.self, from: Data(buffer: body)),
                   detail.operation.approvals.count >= approvals, status.map({ $0 == detail.operation.status }) ?? true {
                    return true
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
            return false
        }

        static func banner(
            gateway: String, dir: String, nodes: [String], monitors: [String: Int], created: Bool, vaults: [VaultView],
            signedRequests: [DemoMessage: String], chain: DevChain, executor: Bool, routine: RoutineTransfer, fourEyes: Bool
        ) -> String {
            let c = "\(dir)/credentials"
            let health = nodes.compactMap { id in monitors[id].map { "http://127.0.0.1:\($0)/health (\(id))" } }
            let width = vaults.map(\.id.count).max() ?? 0
            let vaultLines = vaults.map { v in
                "\(v.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(v.scheme), \(v.threshold) of \(v.participants.count) sign, address \(v.addresses.first?.address ?? "-")"
            }
            let signedLine = DemoMessage.allCases.compactMap { demo in
                signedRequests[demo].map { id in
                    "\n  The risk bot's \(demo.what) was signed by \(demo.vault) (every node verified the signature):\n"
                        + "    custos request show --gateway \(gateway) \(id)"
                }
            }.joined() + (signedRequests.isEmpty ? "" : "\n")
            return """

                Custos development cluster \(created ? "created and " : "")running (Ctrl-C stops it; running again resumes it).
                  gateway   \(gateway)  (127.0.0.1 only)
                  nodes     \(nodes.joined(separator: ", ")), each its own process and folder under \(dir)/nodes
                  logs      \(dir)/logs
                  people    erin, frank, grace (admins), heidi, laura (security officers), alice (trader, treasury),
                            \(fourEyes ? "bob (treasury), " : "")with DEVELOPMENT software credentials in \(c)

                Open:
                  \(gateway)/v1/cluster            members, quorum, committed height, state digest
                  \(gateway)/v1/users              people, roles and credentials
                  \(gateway)/v1/policies/current   the policy in force (examples/policies/trading-firm.yaml)
                  \(gateway)/v1/operations         governance operations and their lifecycle
                  \(gateway)/v1/blocks             the committed log
                  \(gateway)/v1/bots               bots and their keys (the demo risk bot)
                  \(gateway)/v1/requests           signed requests as every node decided them
                  \(gateway)/v1/vaults             vaults and their key ceremonies
                  \(health.joined(separator: "\n  "))

                Vaults (keys generated by the four nodes among themselves; no machine holds a whole key):
                  \(vaultLines.joined(separator: "\n  "))
                \(signedLine)
                Local EVM chain (py-evm, 127.0.0.1 only; stops with this cluster, its data kept in \(dir)/evm-devnet.journal):
                  \(DevChain.name)     \(chain.url), chain id \(chain.chainId); USDC at \(chain.usdc ?? "-"), \(chain.registered
                    ? "ETH and USDC registered through governance"
                    : "NOT registered (this cluster was made before make run registered them: custos op propose register-asset …)")
                  executor  \(executor ? "executor-bot proposes parameters, broadcasts and records receipts on \(DevChain.name) (log: \(dir)/logs/executor.log)"
                    : "NOT running (this cluster was made before make run registered an executor bot)")
                  prices    \(priceBots.joined(separator: ", ")) post \(demoQuotes.joined(separator: ", ")) USD every minute (a fixed development feed; log: \(dir)/logs/price-bots.log)
                  \(routine.transactionHash.map { hash in
                      "The risk bot's routine transfer of \(routineAmount) ETH to \(devnetDestination.entry) was signed and mined (no person involved):\n"
                        + "    transaction \(hash)\n    custos request show --gateway \(gateway) \(routine.request!)"
                  } ?? "The risk bot's routine transfer on start was NOT mined: \(routine.problem ?? "?")" + (routine.request.map { "\n    custos request show --gateway \(gateway) \($0)" } ?? ""))
                  hot-trading's first EVM address was funded with 100 ETH and 1,000,000 USDC:
                    custos vault balances --gateway \(gateway) hot-trading     (read by the gateway from the chain; no node verifies it)

                Try (one admin alone cannot add a person; two more admins' approvals execute it on every node):
                  custos op propose --gateway \(gateway) --as \(c)/erin.json --id add-dave add-user dave trader
                  custos op show    --gateway \(gateway) add-dave
                  custos op approve --gateway \(gateway) --as \(c)/frank.json add-dave
                  custos op approve --gateway \(gateway) --as \(c)/grace.json add-dave   (the quorum: two admins besides erin)
                  custos node status --data \(dir)/nodes/node-1     (the node's own copy of the state)
                  custos vault list --gateway \(gateway)
                  custos vault show --gateway \(gateway) hot-trading   (the ceremony transcript: who, when, which software)
                  custos request submit --gateway \(gateway) --bot \(c)/risk-bot.bot.json examples/policies/requests/risk-bot-kraken.json
                    (verified by every node and decided by the policy; custos request show ID gives every rule's reason)

                \(fourEyes ? """
                Try a 4-eyes transfer (a person's transfer over 250,000 USD to an exchange needs one more treasury person):
                  custos request transfer --gateway \(gateway) --as \(c)/alice.json --vault hot-trading --from m --chain \(DevChain.name) \\
                    --asset USDC --to \(devnetDestination.address) --amount \(fourEyesAmount)
                  custos request show     --gateway \(gateway) ID      (pending: alice's own approval does not count)
                  custos request approve  --gateway \(gateway) --as \(c)/bob.json ID
                    (bob reads the decoded transfer and confirms; every node then signs it and the executor broadcasts it)
                """ : "A 4-eyes walk-through needs bob, a second treasury person, whom development clusters made since have: remove \(dir) to start afresh.")
                (custos is .build/release/custos)

                """
        }
    }
}

/// The part of the cluster file `dev up` needs.
private struct ClusterFileHead: Decodable {
    struct Member: Decodable { var id: String }
    var members: [Member]
}

/// Starts child processes with their output in log files, and stops them all — on SIGINT or
/// SIGTERM, or as soon as one of them exits on its own.
final class Supervisor: @unchecked Sendable {
    // @unchecked: `children` and `leases` are written before the signal handlers are installed and only read after.
    private let executable: URL
    private let logs: String
    private var children: [(name: String, process: Process)] = []

    init(executable: URL, logs: String) {
        self.executable = executable
        self.logs = logs
    }

    /// `<logs>/<name>.log`, created if missing, open for appending.
    private func log(_ name: String) throws -> FileHandle {
        let path = (logs as NSString).appendingPathComponent("\(name).log")
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        log.seekToEndOfFile()
        return log
    }

    func start(_ name: String, _ arguments: [String]) throws {
        let log = try log(name)
        let process = Process()
        process.executableURL = executable
        // The child stops by itself if this process is gone (SIGKILL, a crash): `ParentWatch`.
        process.arguments = arguments + ["--parent-pid", "\(getpid())"]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        children.append((name, process))
    }

    /// Standard input of the programs `startProgram` started: held open for as long as this
    /// process lives, so that they stop when it is gone, however it ends.
    private var leases: [Pipe] = []

    /// Starts `executable ARGS` (not custos: no `--parent-pid`) with its standard output in
    /// `output` and its standard error in `<logs>/<name>.log`, its standard input a pipe this
    /// process holds (the program stops when it reads end of file).
    func startProgram(_ name: String, _ executable: String, _ arguments: [String], output: String) throws {
        let log = try log(name)
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let lease = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = log
        process.standardInput = lease
        try process.run()
        leases.append(lease)
        children.append((name, process))
    }

    /// Runs `executable ARGS` (not custos) to its end, its errors shown; its standard output, nil if it failed.
    func runProgramCapturing(_ executable: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// Whether every child started is still running.
    var allRunning: Bool { children.allSatisfy { $0.process.isRunning } }

    /// Runs a child to its end and returns its standard output, nil if it failed.
    func runToEndCapturing(_ arguments: [String]) -> String? { runProgramCapturing(executable.path, arguments) }

    func runToEnd(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    func waitForPort(_ file: String, seconds: Int) async -> Int? {
        for _ in 0..<(seconds * 20) {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return port
            }
            if children.contains(where: { !$0.process.isRunning }) { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Waits for SIGINT/SIGTERM or a child's exit, then stops every child (SIGTERM, then SIGKILL
    /// after 10 s). Returns 0 after a signal, 1 if a child died on its own.
    func runUntilSignalOrExit() async -> Int32 {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let stop = AsyncStream<String> { continuation in
            let sources = SignalSources([SIGINT, SIGTERM]) { continuation.yield("signal") }
            let watcher = Task {
                while !Task.isCancelled {
                    if let dead = self.children.first(where: { !$0.process.isRunning }) {
                        continuation.yield("\(dead.name) exited with status \(dead.process.terminationStatus)")
                        return
                    }
                    if Self.outputClosed {
                        // `make run | tee log` after Ctrl-C, or a script that stopped reading.
                        continuation.yield("its output was closed")
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            continuation.onTermination = { _ in
                watcher.cancel()
                sources.cancel()
            }
        }
        var reason = "signal"
        for await r in stop {
            reason = r
            break
        }
        if reason != "signal" { say("custos: \(reason); stopping the cluster (see its log)") }
        say("stopping \(children.count) processes…")
        stopAll()
        say("stopped; run the same command again to resume this cluster")
        return reason == "signal" ? 0 : 1
    }

    /// Whether standard output is a pipe or socket whose reader is gone.
    static var outputClosed: Bool {
        var output = pollfd(fd: STDOUT_FILENO, events: Int16(POLLOUT), revents: 0)
        guard poll(&output, 1, 0) == 1 else { return false }
        return output.revents & Int16(POLLERR | POLLHUP) != 0
    }

    /// SIGTERM to the nodes, then the gateway; SIGKILL to any still running after 10 s.
    func stopAll() {
        for (_, process) in children.reversed() where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        for (name, process) in children {
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning {
                say("\(name) did not stop in 10 s; killing it")
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
    }
}

/// Dispatch signal sources kept alive until cancelled.
private final class SignalSources: @unchecked Sendable {
    // @unchecked: the array is set once in init; DispatchSource is thread-safe.
    private let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32], handler: @escaping @Sendable () -> Void) {
        sources = signals.map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}

/// Writes a line to standard output at once (unbuffered), so it shows before Ctrl-C even in a pipe.
/// A closed output (the reader of a pipe is gone) is no error: the cluster still has to stop.
func say(_ text: String) {
    try? FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
}
