import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosNode
import CustosNodeService
import CustosState
import CustosTestSupport
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization
import Testing

/// A gateway and signer nodes as real `custos` processes on 127.0.0.1, each in its own temporary
/// data folder. The executable is `$CUSTOS_BINARY`, or `.build/debug/custos` under the package
/// root; the test builds nothing. `stopAll()` kills every process it started.
final class LocalCluster: @unchecked Sendable {
    // @unchecked: mutated only from the single test task that owns it.
    let root: URL
    let binary: URL
    let nodeIDs: [String]
    let passphraseFile: URL
    let clusterFile: URL
    private(set) var gateway: Process?
    private(set) var gatewayPort: Int = 0
    /// The CA (PEM) the gateway's certificate chains to when it serves HTTPS
    /// (`startGateway(tls:)`); every process the cluster starts then gets it as
    /// `CUSTOS_GATEWAY_CA`.
    private(set) var gatewayCA: URL?
    private(set) var nodes: [String: Process] = [:]
    /// Gateways started besides the first, by name, with their ports.
    private(set) var otherGateways: [String: (process: Process, port: Int)] = [:]
    /// The last status read of each node, with the stamp of its files then (`status(_:)`).
    private let statusCache = Mutex<[String: (stamp: [String], at: ContinuousClock.Instant, view: NodeStatusView)]>([:])

    /// `origin` is the WebAuthn origin people assert from (`custos cluster init --origin`; its
    /// default is http://localhost:8080); `policy` the policy document it starts with (the
    /// example policy by default).
    init(nodeCount: Int, origin: String? = nil, policy: URL? = nil) async throws {
        binary = CustosExecutable.url
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestEnvironmentError("no custos executable at \(binary.path); run swift build first or set CUSTOS_BINARY")
        }
        root = FileManager.default.temporaryDirectory.appendingPathComponent("custos-cluster-\(UUID().uuidString)")
        nodeIDs = (1...nodeCount).map { "node-\($0)" }
        // A development cluster as `custos cluster init` lays it out: genesis document with the
        // example policy and the demo people's software credentials, sealed node keys.
        _ = try await Self.run(binary, ["cluster", "init", "--dir", root.path, "--name", "loopback-test", "--nodes", "\(nodeCount)",
                                  "--policy", (policy ?? TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml")).path]
                                 + (origin.map { ["--origin", $0] } ?? []))
        passphraseFile = root.appendingPathComponent("dev-passphrase")
        clusterFile = root.appendingPathComponent("cluster.json")
    }

    /// The example policy with `signing: {attempt_timeout: 12s}`, written to a temporary file:
    /// for clusters whose tests wait for a signer set to be replaced (a crashed, stopped or
    /// lying signer), so they wait 12 s of block time rather than the default 30 s.
    static func exampleWithShortSigningAttempts() throws -> URL {
        let example = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-policy-\(UUID().uuidString).yaml")
        try Data((example + "\nsigning: {attempt_timeout: 12s}\n").utf8).write(to: file)
        return file
    }

    /// The flags that open a development node's keys.
    var passphraseSeal: [String] { ["--passphrase-file", passphraseFile.path] }

    /// Creates another node's folder, identity and transport keys (not a member until governance
    /// adds it), sealed as `seal` says (the cluster's development passphrase by default).
    func initNode(_ id: String, seal: [String]? = nil) async throws -> ClusterFile.MemberKey {
        let out = try await Self.run(binary, ["node", "init", "--data", nodeData(id).path, "--id", id] + (seal ?? passphraseSeal))
        return try JSONDecoder().decode(ClusterFile.MemberKey.self, from: Data(out.utf8))
    }

    /// Creates node `id` (development seal), writes its `custos node join-request` to
    /// ROOT/ID.join.json and starts it following the chain; returns the request's path, for an
    /// `add-member` proposal.
    func startJoiningNode(_ id: String) async throws -> URL {
        _ = try await initNode(id)
        let request = root.appendingPathComponent("\(id).join.json")
        try Data(try await Self.run(binary, [
            "node", "join-request", "--data", nodeData(id).path, "--id", id, "--cluster", clusterFile.path,
            "--passphrase-file", passphraseFile.path,
        ]).utf8).write(to: request)
        try startNode(id)
        return request
    }

    /// Whether a node has ever recorded a vote in its votes database.
    func hasVoted(_ id: String) throws -> Bool {
        try NodeDatabase(path: nodeData(id).appendingPathComponent("votes.sqlite").path).lastVote() != nil
    }

    func credentialFile(_ user: String) -> URL { root.appendingPathComponent("credentials/\(user).json") }
    func nodeData(_ id: String) -> URL { root.appendingPathComponent("nodes/\(id)") }
    var gatewayData: URL { root.appendingPathComponent("gateway") }
    var baseURL: String { "\(gatewayCA == nil ? "http" : "https")://127.0.0.1:\(gatewayPort)" }

    /// The environment of the processes the cluster starts: the test's, with the gateway's CA.
    var childEnvironment: [String: String]? {
        gatewayCA.map { ca in ProcessInfo.processInfo.environment.merging([GatewayTrust.variable: ca.path]) { _, new in new } }
    }

    /// Starts the gateway on a free port and waits (bounded) until it answers /health. It stores
    /// in `database` (`--database postgres://…`) if given, else in SQLite in its data folder. With
    /// `tls`, it serves HTTPS with that certificate and key, which `ca` signs.
    func startGateway(port: Int = 0, database: String? = nil, extraArguments: [String] = [],
                      tls: (certificate: URL, key: URL, ca: URL)? = nil) async throws {
        gatewayCA = tls?.ca
        let https = tls.map { ["--tls-certificate", $0.certificate.path, "--tls-key", $0.key.path] } ?? []
        let (process, bound) = try await spawnGateway("gateway", port: port, database: database, extraArguments: extraArguments + https)
        gateway = process
        gatewayPort = bound
    }

    /// Starts another gateway named `name` (its own data folder ROOT/NAME and log), on a free
    /// port, storing in `database` (shared with the first gateway for high availability); waits
    /// (bounded) until it answers /health. Returns its base URL.
    @discardableResult
    func startOtherGateway(_ name: String, database: String?) async throws -> String {
        let (process, port) = try await spawnGateway(name, port: 0, database: database, extraArguments: [])
        otherGateways[name] = (process, port)
        return "http://127.0.0.1:\(port)"
    }

    func killOtherGateway(_ name: String, signal: Int32) {
        kill(otherGateways[name]?.process, signal: signal)
        otherGateways[name] = nil
    }

    private func spawnGateway(_ name: String, port: Int, database: String?, extraArguments: [String]) async throws -> (Process, Int) {
        let portFile = root.appendingPathComponent("\(name).port")
        try? FileManager.default.removeItem(at: portFile)
        let data = name == "gateway" ? gatewayData : root.appendingPathComponent(name)
        let process = try spawn(name, ["gateway", "--data", data.path, "--cluster", clusterFile.path, "--port", "\(port)", "--port-file", portFile.path]
                                      + (database.map { ["--database", $0] } ?? []) + extraArguments)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: try GatewayTrust.configuration(environment: childEnvironment ?? [:]))
        let scheme = gatewayCA != nil && name == "gateway" ? "https" : "http"
        let deadline = ContinuousClock.now + TestPatience.standard
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8),
               let bound = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)),
               (try? await client.execute(HTTPClientRequest(url: "\(scheme)://127.0.0.1:\(bound)/health"), timeout: .seconds(5)).status) == .ok {
                try await client.shutdown()
                return (process, bound)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await client.shutdown()
        Foundation.kill(process.processIdentifier, SIGKILL)
        throw TestEnvironmentError("\(name) did not come up; log: \(log(name))")
    }

    /// Starts a node whose keys open with `seal` (the development passphrase by default), talking
    /// to `gateway` (this cluster's gateway by default; the soak test puts a flaky proxy there).
    /// Every node persists its state every 5 seconds and keeps 8 blocks below it in its working
    /// store, so that the restarts in the tests start from a persisted state over a pruned chain.
    func startNode(_ id: String, seal: [String]? = nil, gateway: String? = nil, extraArguments: [String] = []) throws {
        nodes[id] = try spawn(id, ["node", "run", "--data", nodeData(id).path, "--id", id, "--cluster", clusterFile.path,
                                   "--gateway", gateway ?? baseURL] + (seal ?? passphraseSeal) + Self.persistence + extraArguments)
    }

    static let persistence = ["--persist-interval", "5", "--prune-keep", "8"]

    /// Starts `custos executor` (an executor bot) against this cluster's gateway; `stopAll` ends it.
    func startExecutor(_ arguments: [String]) throws {
        nodes["executor"] = try spawn("executor", ["executor", "--gateway", baseURL] + arguments)
    }

    /// Waits (bounded) until the node's process has ended by itself; returns its exit status.
    func waitForExit(_ id: String, seconds: Int = TestPatience.seconds) async throws -> Int32 {
        guard let process = nodes[id] else { throw TestEnvironmentError("\(id) was not started") }
        let deadline = ContinuousClock.now + .seconds(seconds)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else { throw TestEnvironmentError("\(id) did not exit; log: \(log(id).suffix(2000))") }
        nodes[id] = nil
        return process.terminationStatus
    }

    /// Waits (bounded) until the node's log contains `text`.
    func waitForLog(_ id: String, containing text: String, seconds: Int = TestPatience.seconds) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if log(id).contains(text) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestEnvironmentError("\(id) never logged \"\(text)\"; log: \(log(id).suffix(2000))")
    }

    /// The votes a node recorded in its votes database, by height.
    func recordedVotes(_ id: String) throws -> [(height: UInt64, blockHash: [UInt8], vote: [UInt8])] {
        try NodeDatabase(path: nodeData(id).appendingPathComponent("votes.sqlite").path).recordedVotes()
    }

    /// Resends `votes` (signed votes by node, for the block in flight at height 1), so the gateway
    /// surely holds them, and checks that they do not certify it: positive evidence that the gateway holds
    /// these votes and not a quorum (rather than a pause after which nothing is seen).
    func expectHeldWithoutQuorum(_ votes: [String: [UInt8]], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for (id, vote) in votes.sorted(by: { $0.key < $1.key }) {
            let receipt = try await resend(vote: vote)
            let counted = receipt.outcome == "recorded" || (receipt.outcome == "ignored" && receipt.detail?.contains("already voted") == true)
            #expect(counted, "\(id)'s vote: \(receipt.outcome) \(receipt.detail ?? "")", sourceLocation: sourceLocation)
        }
        let health = try JSONDecoder().decode(GatewayHealth.self, from: try await get("/health").body)
        #expect(health.committedHeight == 0 && health.pendingHeight == 1, "committed \(health.committedHeight)", sourceLocation: sourceLocation)
    }

    /// Waits (bounded) until each of `ids` has recorded its vote at `height` (a node records
    /// before it sends); returns the signed votes by node.
    func waitForRecordedVotes(_ ids: [String], height: UInt64) async throws -> [String: [UInt8]] {
        let deadline = ContinuousClock.now + TestPatience.standard
        var found: [String: [UInt8]] = [:]
        while ContinuousClock.now < deadline {
            // Read only once the node has opened (and migrated) its database, which it says before
            // anything else: a second process creating the file at the same time could make the
            // node's own migration fail.
            for id in ids where found[id] == nil && log(id).contains("node running") {
                if let vote = (try? recordedVotes(id))?.first(where: { $0.height == height }) { found[id] = vote.vote }
            }
            if let dead = ids.first(where: { found[$0] == nil && nodes[$0].map { !$0.isRunning } == true }) {
                throw TestEnvironmentError("\(dead) ended before it recorded a vote at height \(height); log: \(log(dead).suffix(2000))")
            }
            if found.count == ids.count { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
        let missing = Set(ids).subtracting(found.keys).sorted()
        throw TestEnvironmentError("no vote at height \(height) recorded by \(missing); log of \(missing[0]): \(log(missing[0]).suffix(2000))")
    }

    /// Posts a signed vote to the gateway as a node does, and returns the gateway's receipt. The
    /// gateway counts a voter once: a vote it holds already is answered `ignored` ("already
    /// voted"). Once this returns, the gateway holds the vote, or the block it votes for committed.
    func resend(vote: [UInt8]) async throws -> VoteReceipt {
        let result = try await post("/v1/votes", body: try JSONEncoder().encode(VoteMessage(serialized: vote)))
        guard result.status == .ok else {
            throw TestEnvironmentError("POST /v1/votes: \(result.status) \(String(decoding: result.body, as: UTF8.self))")
        }
        return try JSONDecoder().decode(VoteReceipt.self, from: result.body)
    }

    func kill(_ process: Process?, signal: Int32) {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, signal)
        for _ in 0..<200 where process.isRunning { usleep(25_000) }
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            // Bounded: never hang a test on the runtime noticing a child's exit.
            for _ in 0..<200 where process.isRunning { usleep(25_000) }
        }
    }

    func killGateway(signal: Int32) { kill(gateway, signal: signal); gateway = nil }

    func killNode(_ id: String, signal: Int32) {
        kill(nodes[id], signal: signal)
        nodes[id] = nil
    }

    /// Stops every process this cluster started (SIGKILL), and removes the data folders (kept
    /// when CUSTOS_TEST_KEEP_DATA is set, to read the processes' logs afterwards).
    func stopAll(removeData: Bool = true) {
        for id in nodes.keys { killNode(id, signal: SIGKILL) }
        killGateway(signal: SIGKILL)
        for name in otherGateways.keys { killOtherGateway(name, signal: SIGKILL) }
        if removeData && ProcessInfo.processInfo.environment["CUSTOS_TEST_KEEP_DATA"] == nil {
            try? FileManager.default.removeItem(at: root)
        }
    }

    /// Node `id`'s committed chain and state as `custos node status` prints them, read from its
    /// files in this process (`NodeStatusView.read`). A node whose files are unchanged since the
    /// last read (and read less than a second ago) answers from that read.
    func status(_ id: String) async throws -> NodeStatusView {
        let folder = nodeData(id)
        let stamp = NodeStatusView.stamp(data: folder)
        if let cached = statusCache.withLock({ $0[id] }), cached.stamp == stamp, ContinuousClock.now - cached.at < .seconds(1) {
            return cached.view
        }
        let at = ContinuousClock.now
        let view = try await Blocking.run { try NodeStatusView.read(data: folder) }
        statusCache.withLock { $0[id] = (stamp, at, view) }
        return view
    }

    /// `custos node status` itself, as a process (`status(_:)` reads the same files in process).
    func statusFromCommand(_ id: String) async throws -> NodeStatusView {
        let out = try await Self.run(binary, ["node", "status", "--data", nodeData(id).path])
        return try JSONDecoder().decode(NodeStatusView.self, from: Data(out.utf8))
    }

    /// Waits (bounded) until `condition` holds for the statuses of `ids`.
    ///
    /// Each round reads every node's status (`status(_:)`): on two cores the rounds take CPU from
    /// the cluster under test. Where `condition` reads only the nodes'
    /// committed state (`readsOnlyCommittedState`), nothing it reads changes until the log grows:
    /// once every node's view has settled at the gateway's committed height with the condition
    /// false, the nodes are asked again when that height moves, when the gateway does not answer,
    /// or after 2 s.
    func waitUntil(_ ids: [String], seconds: Int = TestPatience.seconds, readsOnlyCommittedState: Bool = false,
                   _ condition: ([String: NodeStatusView]) -> Bool) async throws -> [String: NodeStatusView] {
        var last: [String: NodeStatusView] = [:]
        var quietAt: UInt64?
        var asked = ContinuousClock.now
        // Bounded by the clock, not by rounds: a slow `node status` must not stretch the wait.
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let head = readsOnlyCommittedState ? await committedHeight() : nil
            // Quiet, the nodes are still asked every 2 s: a gateway that answers /health with a
            // stale height must not stall the wait.
            if let head, head == quietAt, ContinuousClock.now - asked < .seconds(2) {
                try await Task.sleep(for: .milliseconds(100))
                continue
            }
            asked = ContinuousClock.now
            var statuses: [String: NodeStatusView] = [:]
            for id in ids { if let s = try? await status(id) { statuses[id] = s } }
            last = statuses
            // A node stores the view of its state a moment after the block under load: only
            // statuses whose view is of their chain's head are judged.
            if statuses.count == ids.count, statuses.values.allSatisfy(\.isSettled), condition(statuses) { return statuses }
            let caughtUp = statuses.count == ids.count
                && statuses.values.allSatisfy { $0.governance?.height == $0.height && $0.height >= (head ?? .max) }
            quietAt = caughtUp ? head : nil
            try await Task.sleep(for: .milliseconds(100))
        }
        let refusals = last.values.first?.governance?.refusals.map { "\($0.code): \($0.reason)" } ?? []
        throw TestEnvironmentError("timed out; last statuses: \(last.mapValues(\.height)); refusals: \(refusals); gateway log tail: \(log("gateway").suffix(2000))")
    }

    // MARK: HTTP

    struct HTTPResult {
        var status: HTTPResponseStatus
        var body: Data
        var headers: HTTPHeaders = [:]
    }

    func get(_ path: String, timeout: TimeAmount = .seconds(5)) async throws -> HTTPResult {
        try await send(HTTPClientRequest(url: baseURL + path), timeout: timeout)
    }

    /// Sends `request` and collects the answer.
    func send(_ request: HTTPClientRequest, timeout: TimeAmount = .seconds(10)) async throws -> HTTPResult {
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        return HTTPResult(status: response.status, body: Data(buffer: try await response.body.collect(upTo: 16 << 20)),
                          headers: response.headers)
    }

    func post(_ path: String, body: Data) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: body))
        return try await send(request)
    }

    /// Posts `entry` to `POST /v1/entries`.
    func submit(_ entry: Entry) async throws -> HTTPResult {
        try await post("/v1/entries", body: try JSONEncoder().encode(
            EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization)))
    }

    /// Posts the `TestNote` for `note`.
    func submitNote(_ note: String) async throws -> HTTPResult {
        try await submit(try TestNote.entry(note))
    }

    /// The genesis document digest the gateway names for this cluster: what every approval and
    /// every bot request binds.
    func genesisDigest() async throws -> [UInt8] {
        let view: ClusterView = try await getJSON("/v1/cluster")
        return try [UInt8](hex: view.genesisDocumentDigest)
    }

    func getJSON<T: Decodable>(_ path: String) async throws -> T {
        let r = try await get(path)
        guard r.status == .ok else { throw TestEnvironmentError("GET \(path): \(r.status) \(String(decoding: r.body, as: UTF8.self))") }
        return try JSONDecoder().decode(T.self, from: r.body)
    }

    func postJSON(_ path: String, _ value: some Encodable) async throws -> HTTPResult {
        try await post(path, body: try JSONEncoder().encode(value))
    }

    // MARK: Governance

    /// `custos op …` against this cluster's gateway; `--as USER` names a credential file.
    func op(_ arguments: [String]) async throws {
        var args = arguments
        if let i = args.firstIndex(of: "--as"), i + 1 < args.count { args[i + 1] = credentialFile(args[i + 1]).path }
        args.insert(contentsOf: ["--gateway", baseURL], at: 1)
        _ = try await Self.run(binary, ["op"] + args, environment: childEnvironment)
    }

    /// Runs `custos vault …` against this cluster's gateway (`--as USER` names a credential).
    func vault(_ arguments: [String]) async throws {
        _ = try await vaultOutput(arguments)
    }

    /// `custos vault …`'s output.
    func vaultOutput(_ arguments: [String]) async throws -> String {
        var args = arguments
        if let i = args.firstIndex(of: "--as"), i + 1 < args.count { args[i + 1] = credentialFile(args[i + 1]).path }
        args.insert(contentsOf: ["--gateway", baseURL], at: args.first == "address" ? 2 : 1)
        return try await Self.run(binary, ["vault"] + args)
    }

    /// A development node's database opened with its own seal, as the node opens it (another
    /// process may have it open too: SQLite serialises the writers).
    func openNodeDatabase(_ id: String) throws -> NodeDatabase {
        let passphrase = try Data(contentsOf: passphraseFile)
        let keys = try NodeKeys.open(dataFolder: nodeData(id).path,
                                     credential: .passphrase(SecretBytes(passphrase.filter { $0 != UInt8(ascii: "\n") })))
        return try NodeDatabase(path: nodeData(id).appendingPathComponent("votes.sqlite").path, seal: keys.seal)
    }

    /// The gateway's committed height; nil when it does not answer.
    func committedHeight() async -> UInt64? {
        guard let result = try? await get("/health", timeout: .seconds(2)), result.status == .ok else { return nil }
        return (try? JSONDecoder().decode(GatewayHealth.self, from: result.body))?.committedHeight
    }

    /// The committed proposal `id`, decoded from the gateway's canonical bytes.
    func proposal(_ id: String) async throws -> GovernanceProposal {
        let detail: OperationDetail = try await getJSON("/v1/operations/\(id)")
        return try GovernanceProposal(encoded: Array(try #require(Data(base64Encoded: detail.operation.proposal))))
    }

    /// A person's software authenticator from their credential file (optionally with another counter).
    func credential(_ user: String, signCount: UInt32? = nil) throws -> SoftwareAuthenticator {
        var file = try JSONDecoder().decode(SoftwareCredentialFile.self, from: Data(contentsOf: credentialFile(user)))
        if let signCount { file.signCount = signCount }
        return try file.authenticator()
    }

    /// Waits (bounded) until every node's own governed state satisfies `condition`.
    func waitForGovernance(
        _ ids: [String]? = nil, seconds: Int = TestPatience.seconds, _ condition: @escaping (GovernanceSnapshot) -> Bool
    ) async throws -> [String: NodeStatusView] {
        try await waitUntil(ids ?? nodeIDs, seconds: seconds, readsOnlyCommittedState: true) { s in
            s.values.allSatisfy { $0.governance.map(condition) ?? false }
        }
    }

    // MARK: Processes

    /// The value of counter or gauge `name` (no labels) on node `id`'s monitor, which the node was
    /// started to serve with `--monitor-port 0 --monitor-port-file ROOT/ID.monitor`; 0 until it is up.
    func metric(_ id: String, _ name: String) async throws -> Int {
        guard let port = try? String(contentsOf: root.appendingPathComponent("\(id).monitor"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines) else { return 0 }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(5))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    func log(_ name: String) -> String {
        (try? String(contentsOf: root.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }

    private func spawn(_ name: String, _ arguments: [String]) throws -> Process {
        let logURL = root.appendingPathComponent("\(name).log")
        if !FileManager.default.fileExists(atPath: logURL.path) { _ = FileManager.default.createFile(atPath: logURL.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: logURL)
        handle.seekToEndOfFile()
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let childEnvironment { process.environment = childEnvironment }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Runs `binary arguments…` and returns its output; waits off the cooperative pool.
    static func run(_ binary: URL, _ arguments: [String], environment: [String: String]? = nil) async throws -> String {
        try await Blocking.run { try runBlocking(binary, arguments, environment: environment) }
    }

    private static func runBlocking(_ binary: URL, _ arguments: [String], environment: [String: String]?) throws -> String {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestEnvironmentError("custos \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// `custos node status` output.
struct NodeStatusView: Codable, Equatable {
    struct BlockSummary: Codable, Equatable {
        var height: UInt64
        var hash: String
        var voters: [String]
        var entries: [String]
    }
    struct StateDigest: Codable, Hashable {
        var height: UInt64
        var digest: String
    }
    var height: UInt64
    /// Why the node signs nothing until an operator acts; empty when it signs.
    var signingHalts: [NodeHealth.Halt]
    var stateDigests: [StateDigest]
    var governance: GovernanceSnapshot?
    var blocks: [BlockSummary]

    /// Whether the view of the governed state is of the chain's head (or there is none yet).
    var isSettled: Bool { governance.map { $0.height == height } ?? true }

    /// Entries as `kind:base64(payload)`, with the height that committed each.
    var entryHeights: [String: UInt64] {
        var out: [String: UInt64] = [:]
        for b in blocks { for e in b.entries { out[e] = b.height } }
        return out
    }

    /// Blocks without voters (each node sees the same block; certificates may differ by which q votes).
    var chain: [String] { blocks.map { "\($0.height):\($0.hash)" } }
}
