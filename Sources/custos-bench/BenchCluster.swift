import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosIdentity
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A gateway and four signer nodes as real `custos` processes on 127.0.0.1, in a temporary
/// folder, for the end-to-end benchmark. The executable is `$CUSTOS_BINARY`, or `custos` next to
/// this benchmark (the release build). `stop()` ends every process it started and removes the folder.
final class BenchCluster: @unchecked Sendable {
    // @unchecked: started and stopped by the one benchmark task; the load tasks only read `baseURL`.
    let root: URL
    let binary: URL
    let nodeIDs = (1...4).map { "node-\($0)" }
    private var processes: [Process] = []
    private var processIDs: [String: Int32] = [:]
    /// Standard input of the programs `spawnProgram` started, held open while they should run.
    private var leases: [Pipe] = []
    private(set) var baseURL = ""
    /// The genesis document digest of the running cluster, which bots sign their requests for.
    private(set) var genesis: [UInt8] = []
    /// Each node's monitor (`/health`, `/metrics`) base URL, once it listens.
    private(set) var monitorURLs: [String: String] = [:]

    init() throws {
        if let path = ProcessInfo.processInfo.environment["CUSTOS_BINARY"] {
            binary = URL(fileURLWithPath: path)
        } else {
            binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("custos")
        }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw BenchError("no custos executable at \(binary.path); build it (swift build -c release --product custos) or set CUSTOS_BINARY")
        }
        root = FileManager.default.temporaryDirectory.appendingPathComponent("custos-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// Creates the nodes' identities and the cluster file, starts the gateway (with
    /// `gatewayArguments`) and the nodes (each with its monitor on a free port, and
    /// `nodeArguments`), and waits (bounded) until the gateway answers and every monitor listens.
    /// `policy` is the genesis policy document.
    func start(_ client: HTTPClient, policy: String = "examples/policies/trading-firm.yaml", nodeArguments: [String] = [],
               gatewayArguments: [String] = []) async throws {
        // A development cluster as `custos cluster init` lays it out (genesis document with the
        // example policy; run from the repository root, as `make bench` does).
        _ = try runToEnd(["cluster", "init", "--dir", root.path, "--name", "bench", "--nodes", "\(nodeIDs.count)",
                          "--policy", policy])
        let passphrase = root.appendingPathComponent("dev-passphrase")
        let clusterFile = root.appendingPathComponent("cluster.json")
        let portFile = root.appendingPathComponent("gateway.port")
        try spawn("gateway", ["gateway", "--data", root.appendingPathComponent("gateway").path, "--cluster", clusterFile.path,
                              "--port", "0", "--port-file", portFile.path] + gatewayArguments)
        for _ in 0..<400 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                baseURL = "http://127.0.0.1:\(port)"
                break
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        guard !baseURL.isEmpty else { throw BenchError("the gateway did not start; see \(root.path)/gateway.log") }
        for id in nodeIDs {
            try spawn(id, ["node", "run", "--data", root.appendingPathComponent("nodes/\(id)").path, "--id", id, "--cluster", clusterFile.path,
                           "--gateway", baseURL, "--passphrase-file", passphrase.path,
                           "--monitor-port", "0", "--monitor-port-file", monitorPortFile(id).path] + nodeArguments)
        }
        _ = try await get(client, "/health")
        for id in nodeIDs {
            for _ in 0..<400 where monitorURLs[id] == nil {
                if let text = try? String(contentsOf: monitorPortFile(id), encoding: .utf8),
                   let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    monitorURLs[id] = "http://127.0.0.1:\(port)"
                } else {
                    try await Task.sleep(for: .milliseconds(25))
                }
            }
            guard monitorURLs[id] != nil else { throw BenchError("\(id)'s monitor did not start; see \(root.path)/\(id).log") }
        }
        let view = try JSONDecoder().decode(ClusterView.self, from: try await get(client, "/v1/cluster"))
        genesis = try [UInt8](hex: view.genesisDocumentDigest)
    }

    private func monitorPortFile(_ id: String) -> URL { root.appendingPathComponent("\(id).monitor-port") }

    /// Ends every process (SIGTERM, then SIGKILL after 5 s) and removes the folder.
    func stop() {
        for process in processes.reversed() where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        for process in processes {
            for _ in 0..<200 where process.isRunning { usleep(25_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        processes = []
        leases = []
        try? FileManager.default.removeItem(at: root)
    }

    /// Registers a bot as any bot is registered (`governed`). Returns the bot's development key,
    /// which the CLI wrote next to erin's credential.
    func registerBot(_ client: HTTPClient, id: String, role: String) async throws -> BotSigningKey {
        try await governed(client, operation: "add-\(id)", proposal: ["op", "propose", "--id", "add-\(id)", "add-bot", id, role])
        return try JSONDecoder().decode(BotKeyFile.self, from: try Data(contentsOf: botKeyFile(id))).signingKey()
    }

    /// The development key file the CLI wrote for bot `id` when it was proposed.
    func botKeyFile(_ id: String) -> URL { root.appendingPathComponent("credentials/\(id).bot.json") }

    /// Runs a governed operation as the development organisation does: erin proposes it with the
    /// CLI command `proposal` (gateway and credential flags added), `approvers` approve one after
    /// the other (the CLI's development credentials from `cluster init`; frank and grace, the
    /// quorum of most operations), every node verifies the assertions. Returns once the operation executed.
    func governed(_ client: HTTPClient, operation: String, proposal: [String], approvers: [String] = ["frank", "grace"]) async throws {
        let credential = { (user: String) in self.root.appendingPathComponent("credentials/\(user).json").path }
        _ = try runToEnd(Array(proposal.prefix(2)) + ["--gateway", baseURL, "--as", credential("erin")] + proposal.dropFirst(2))
        for (count, approver) in approvers.enumerated() {
            try await waitFor(client, operation: operation) { $0.approvals.count == count }
            _ = try runToEnd(["op", "approve", "--gateway", baseURL, "--as", credential(approver), "--yes", operation])
        }
        try await waitFor(client, operation: operation) { $0.status == "executed" }
    }

    /// Polls the operation until `condition` holds (bounded: 30 s).
    private func waitFor(_ client: HTTPClient, operation: String, _ condition: (OperationView) -> Bool) async throws {
        for _ in 0..<300 {
            if let data = try? await get(client, "/v1/operations/\(operation)"),
               let detail = try? JSONDecoder().decode(OperationDetail.self, from: data), condition(detail.operation) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("operation \(operation) did not reach the expected state; see \(root.path)")
    }

    /// One HTTP round trip to the gateway (`GET /health`), 500 times after 100 untimed.
    func roundTrips(_ client: HTTPClient) async throws -> Measurement {
        var samples: [UInt64] = []
        for i in 0..<600 {
            let start = nowNanoseconds()
            _ = try await get(client, "/health")
            if i >= 100 { samples.append(nowNanoseconds() - start) }
        }
        return Measurement(name: "HTTP round trip, GET /health", samples: samples.sorted())
    }

    func committedHeight(_ client: HTTPClient) async throws -> UInt64 {
        try JSONDecoder().decode(GatewayHealth.self, from: try await get(client, "/health")).committedHeight
    }

    func get(_ client: HTTPClient, _ path: String) async throws -> Data {
        let response = try await client.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw BenchError("GET \(path): \(response.status) \(String(buffer: body))") }
        return Data(buffer: body)
    }

    func post(_ client: HTTPClient, _ path: String, body: Data) async throws -> Data {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        let answer = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .accepted else { throw BenchError("POST \(path): \(response.status) \(String(buffer: answer))") }
        return Data(buffer: answer)
    }

    /// Starts `custos ARGUMENTS` as the process `name`, its output in `<root>/<name>.log`.
    func spawn(_ name: String, _ arguments: [String]) throws {
        let log = root.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = binary
        // Stops by itself when this process is gone, however it ends.
        process.arguments = arguments + ["--parent-pid", "\(getpid())"]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        processes.append(process)
        processIDs[name] = process.processIdentifier
    }

    /// CPU time (user + system, seconds) each process has used so far, from /proc.
    func cpuSeconds() -> [String: Double] {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var out: [String: Double] = [:]
        for (name, pid) in processIDs {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = text.lastIndex(of: ")") else { continue }
            // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            out[name] = (user + system) / ticks
        }
        return out
    }

    /// Starts `executable ARGUMENTS` (not custos) as the process `name`, its standard output in
    /// `output`, its standard error in `<root>/<name>.log` and its standard input a pipe this
    /// process holds: it ends when it reads end of file, so also when this process is gone.
    func spawnProgram(_ name: String, _ executable: String, _ arguments: [String], output: URL) throws {
        let log = root.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let lease = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = lease
        try process.run()
        leases.append(lease)
        processes.append(process)
        processIDs[name] = process.processIdentifier
    }

    /// Runs `custos ARGUMENTS` to its end; its standard output.
    func runToEnd(_ arguments: [String]) throws -> Data { try runProgram(binary.path, arguments) }

    /// Runs `executable ARGUMENTS` to its end, its errors on this process's; its standard output.
    func runProgram(_ executable: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.prefix(2).joined(separator: " ")) failed")
        }
        return data
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
