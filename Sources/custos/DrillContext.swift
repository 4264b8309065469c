import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosNodeService
import CustosState
import Foundation

/// The development cluster a drill acts on (`custos dev up`'s folder) and what the drill learnt
/// so far. It acts as the firm's people and bots do, through the same `custos` commands (run as
/// child processes, their output kept in the drill's folder), and reads every check from each
/// signer node's own committed state (its chain database), never from the gateway.
final class DrillContext {
    /// A `custos` command run to its end.
    struct Command {
        var line: String
        var status: Int32
        var out: String
        var err: String

        /// The error it printed, on one line, for a report.
        var problem: String {
            let text = (err.isEmpty ? out : err).trimmingCharacters(in: .whitespacesAndNewlines)
            // The command's words may carry the gateway's (review of the drills L6): shown
            // escaped, so that no control character repaints the report.
            return "`\(line)` failed (status \(status)): " + text.split(separator: "\n").suffix(3).joined(separator: " / ").printable(limit: 1000)
        }
    }

    let layout: DevLayout
    let gateway: String
    let clusterName: String
    /// The voting members when the drill started.
    let members: [String]
    /// This run's folder (`<dir>/drills/<scenario>-<time>`): command output, new credentials, the report.
    let work: String
    /// A short unique tag for this run's operation ids and names.
    let tag: String
    /// Nodes the drill stopped (SIGSTOP), by id and process id.
    private(set) var paused: [String: Int32] = [:]
    /// Nodes no longer members (removed by the drill): not read any more.
    var removed: Set<String> = []
    /// Nodes the drill made members (a replacement), read from then on.
    var added: [String] = []
    /// What earlier steps left for later ones (key files, ids).
    var notes: [String: String] = [:]
    /// What the step under way did and read, for the report.
    var evidence: [String] = []
    private var commandCount = 0
    /// The last state decoded of each node (`snapshot(_:)`).
    private var decoded: [String: GovernanceSnapshot] = [:]

    /// Refuses (a one-line failure) anything but a development cluster: drills freeze signing,
    /// remove members and stop nodes.
    init(dir: String, gateway: String?, scenario: DrillScenario) {
        layout = DevLayout(dir)
        let file: ClusterFile
        let genesis: GenesisDocument
        guard FileManager.default.fileExists(atPath: layout.clusterFile) else {
            fail("no cluster in \(dir) (no cluster.json): start one with custos dev up --dir \(dir)")
        }
        do {
            file = try JSONDecoder().decode(ClusterFile.self, from: Data(contentsOf: URL(fileURLWithPath: layout.clusterFile)))
            let document = try file.configuration().genesisDocument
            guard !document.isEmpty else { fail("\(layout.clusterFile) has no genesis document, so it cannot be shown to be a development cluster") }
            genesis = try GenesisDocument(encoded: document)
        } catch { fail("\(layout.clusterFile): not a cluster made by custos dev up (\(error))") }
        guard genesis.mode == .development else {
            fail("\(file.name) is a \(genesis.mode.rawValue) cluster: drills freeze signing, remove signer nodes and stop them, "
                 + "so they run only on development clusters (custos dev up)")
        }
        clusterName = file.name
        // The members now, as the most advanced node's committed state has them (governance may
        // have changed them since the cluster file was written), else the cluster file's.
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: layout.path("nodes"))) ?? []
        let nodes = layout
        let newest = folders.compactMap { Self.snapshot(nodes, $0) }.max { $0.height < $1.height }
        members = newest.map { $0.members.map(\.id) } ?? file.members.map(\.id)
        if let gateway {
            self.gateway = gateway
        } else if let text = try? String(contentsOfFile: layout.path("gateway.port"), encoding: .utf8),
                  let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            self.gateway = "http://127.0.0.1:\(port)"
        } else {
            fail("no gateway.port in \(dir): is custos dev up running on it? (or give --gateway)")
        }
        let time = Self.now()
        tag = String(time, radix: 36)
        work = layout.path("drills", "\(scenario.rawValue)-\(tag)")
        do { try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true) } catch { fail("cannot create \(work): \(error)") }
    }

    /// Milliseconds since 1970.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Nodes whose committed state the checks read: the members, less those stopped or removed.
    var watched: [String] { (members + added).filter { paused[$0] == nil && !removed.contains($0) } }

    func note(_ line: String) { evidence.append(line) }

    // MARK: commands

    /// Runs `custos ARGS` (this executable) to its end, its output kept in the drill's folder.
    func custos(_ arguments: [String]) -> Command {
        commandCount += 1
        let number = String(commandCount)
        let base = (work as NSString).appendingPathComponent(String(repeating: "0", count: max(0, 3 - number.count)) + number + "-"
                                                             + arguments.prefix(2).joined(separator: "-"))
        let line = "custos " + arguments.joined(separator: " ")
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: Data((line + "\n").utf8))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        guard let out = FileHandle(forWritingAtPath: base + ".out"), let err = FileHandle(forWritingAtPath: base + ".err") else {
            return Command(line: line, status: -1, out: "", err: "cannot write \(base).out")
        }
        err.seekToEndOfFile()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return Command(line: line, status: -1, out: "", err: "\(error)") }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        return Command(line: line, status: process.terminationStatus, out: read(base + ".out"),
                       err: String(read(base + ".err").dropFirst(line.count + 1)))
    }

    /// Runs a command that must succeed; blocked with its error otherwise.
    @discardableResult
    func must(_ arguments: [String]) throws(DrillBlocked) -> Command {
        let command = custos(arguments)
        guard command.status == 0 else { throw DrillBlocked(command.problem) }
        return command
    }

    /// A person's development credential: one the drill made, else the cluster's.
    func credential(_ user: String) -> String { notes["credential:\(user)"] ?? layout.credential(user) }

    // MARK: the nodes' committed state

    /// `node`'s governed state as its chain database holds it (what `custos node status` prints); nil before its first block.
    /// The committed state of `node`, decoded again only when its height moved since the last
    /// read (the drills poll every node several times a second: review helper-134 L9).
    func snapshot(_ node: String) -> GovernanceSnapshot? {
        let path = (layout.node(node) as NSString).appendingPathComponent(NodeCommand.chainFile)
        guard let store = try? NodeChainStore(path: path, readOnly: true), let height = try? store.snapshotHeight() else { return nil }
        if let cached = decoded[node], cached.height == height { return cached }
        guard let data = try? store.snapshot(), let state = try? JSONDecoder().decode(GovernanceSnapshot.self, from: data) else { return nil }
        decoded[node] = state
        return state
    }

    static func snapshot(_ layout: DevLayout, _ node: String) -> GovernanceSnapshot? {
        let path = (layout.node(node) as NSString).appendingPathComponent(NodeCommand.chainFile)
        guard let store = try? NodeChainStore(path: path, readOnly: true), let data = try? store.snapshot() else { return nil }
        return try? JSONDecoder().decode(GovernanceSnapshot.self, from: data)
    }

    /// The highest height any watched node has committed.
    func height() -> UInt64? { watched.compactMap { snapshot($0)?.height }.max() }

    /// Waits (bounded) until `holds` is true of every watched node's committed state; their
    /// states then. `holds` may throw to block at once (an operation that failed, a request
    /// denied). Blocked after `seconds`, naming the nodes where it did not hold, their heights,
    /// and what `describe` says of their state.
    @discardableResult
    func onEveryNode(
        _ what: String, seconds: Int = 60, describe: ((GovernanceSnapshot) -> String)? = nil,
        _ holds: (GovernanceSnapshot) throws(DrillBlocked) -> Bool
    ) async throws(DrillBlocked) -> [String: GovernanceSnapshot] {
        let deadline = Date().addingTimeInterval(Double(seconds))
        var seen: [String: GovernanceSnapshot] = [:], held: Set<String> = []
        while true {
            for node in watched where !held.contains(node) {
                guard let state = snapshot(node) else { continue }
                seen[node] = state
                if try holds(state) { held.insert(node) }
            }
            let missing = watched.filter { !held.contains($0) }
            if missing.isEmpty { return seen }
            if Date() >= deadline {
                let states = missing.map { node in
                    guard let state = seen[node] else { return "\(node) has no committed state" }
                    return "\(node) at height \(state.height)" + (describe.map { ": " + $0(state) } ?? "")
                }
                throw DrillBlocked("not so on \(missing.joined(separator: ", ")) within \(seconds) s: \(what) (\(states.joined(separator: "; ")))")
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// A governance operation as people run it: `proposer` proposes `change` under the id
    /// `id`, each of `approvers` approves once every node holds the operation (the approvals
    /// stop once it executed), and the operation is executed on every node.
    func govern(_ id: String, proposer: String, _ change: [String], approvers: [String], seconds: Int = 60) async throws(DrillBlocked) {
        try must(["op", "propose", "--gateway", gateway, "--as", credential(proposer), "--id", id] + change)
        func operation(_ state: GovernanceSnapshot) throws(DrillBlocked) -> OperationView? {
            guard let op = state.operations.first(where: { $0.id == id }) else { return nil }
            if ["failed", "rejected", "expired"].contains(op.status) {
                throw DrillBlocked("operation \(id) (\(change.joined(separator: " "))) is \(op.status)" + (op.failure.map { ": \($0.printable(limit: 1000))" } ?? ""))
            }
            return op
        }
        var states = try await onEveryNode("operation \(id) proposed by \(proposer) is committed", seconds: seconds) { s throws(DrillBlocked) in
            try operation(s) != nil
        }
        for approver in approvers where !states.values.contains(where: { (try? operation($0))?.status == "executed" }) {
            try must(["op", "approve", "--gateway", gateway, "--as", credential(approver), "--yes", id])
            states = try await onEveryNode("\(approver)'s approval of \(id) is committed", seconds: seconds) { s throws(DrillBlocked) in
                guard let op = try operation(s) else { return false }
                return op.approvals.contains(approver) || op.status != "proposed"
            }
        }
        let done = try await onEveryNode("operation \(id) is executed", seconds: seconds, describe: { s in
            "its status is \(s.operations.first { $0.id == id }?.status ?? "unknown")"
        }) { s throws(DrillBlocked) in try operation(s)?.status == "executed" }
        let heights = Set(done.values.compactMap { $0.operations.first { $0.id == id }?.decidedAt })
        note("operation \(id) (\(change.joined(separator: " "))): proposed by \(proposer)"
             + (approvers.isEmpty ? "" : ", approved by \(approvers.joined(separator: ", "))")
             + "; executed on \(done.keys.sorted().joined(separator: ", "))" + (heights.count == 1 ? "" : " (decided at differing times: \(heights.sorted()))"))
    }

    // MARK: bots

    /// The key file in the cluster's credentials folder holding the key every node has for `bot` now.
    func currentBotKey(_ bot: String) throws(DrillBlocked) -> String {
        guard let committed = watched.lazy.compactMap({ self.snapshot($0)?.bots.first { $0.id == bot } }).first else {
            throw DrillBlocked("no node holds a bot \(bot)")
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: layout.credentials)) ?? []
        for name in files.sorted() where name.hasPrefix(bot + ".") && name.hasSuffix(".bot.json") {
            let path = (layout.credentials as NSString).appendingPathComponent(name)
            if publicKey(ofKeyFile: path) == committed.publicKey { return path }
        }
        throw DrillBlocked("no key file in \(layout.credentials) holds the key the nodes have for \(bot) (\(committed.publicKey.prefix(16))…)")
    }

    /// The public key (hex) of a bot key file; nil if it is not one.
    func publicKey(ofKeyFile path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), let file = try? JSONDecoder().decode(BotKeyFile.self, from: data),
              let key = try? file.signingKey() else { return nil }
        return key.publicKey.rawRepresentation.hexString
    }

    /// The request id a `request submit` or `request transfer` printed.
    static func requestId(_ command: Command) -> String? {
        command.out.split(separator: "\n").first { $0.hasPrefix("request ") }.map { String($0.dropFirst(8)) }
    }

    /// The bot with key file `keyFile` (`initiator`) asks sol-treasury to sign a venue login
    /// challenge, as the demo risk bot does routinely (the example policy allows it for bots
    /// with the risk-bot role); the command as it ran.
    func submitRoutineMessage(_ keyFile: String, initiator: String = "risk-bot") -> Command {
        let demo = DevCommand.Up.DemoMessage.venueLogin
        let body = (work as NSString).appendingPathComponent("routine-\(commandCount + 1).json")
        let text = #"{"kind": "message", "id": "drill-\#(tag)-\#(commandCount + 1)", "initiator": "\#(initiator)", "vault": "\#(demo.vault)", "message": \#(demo.message())}"#
        _ = FileManager.default.createFile(atPath: body, contents: Data(text.utf8))
        return custos(["request", "submit", "--gateway", gateway, "--bot", keyFile, body])
    }

    /// The bot with key file `keyFile` asks hot-trading for a transfer on the local chain; the command as it ran.
    func submitTransfer(_ keyFile: String, asset: String, to address: String, amount: String) -> Command {
        custos(["request", "transfer", "--gateway", gateway, "--bot", keyFile, "--vault", "hot-trading", "--from", "m",
                "--chain", DevCommand.Up.DevChain.name, "--asset", asset, "--to", address, "--amount", amount, "--memo", "incident drill \(tag)"])
    }

    /// Waits until every node decided request `id` allow and holds its signature; the signers.
    func signedOnEveryNode(_ id: String, seconds: Int = 120) async throws(DrillBlocked) -> [String] {
        let states = try await onEveryNode("request \(id.prefix(16))… is signed", seconds: seconds, describe: { s in
            s.requests.first { $0.id == id }.map { "decided \($0.outcome), signing \($0.signing?.status ?? "not started")" } ?? "not decided"
        }) { s throws(DrillBlocked) in
            guard let request = s.requests.first(where: { $0.id == id }) else { return false }
            guard request.outcome == "allow" else {
                throw DrillBlocked("request \(id.prefix(16))… was decided \(request.outcome): \(request.explanation.joined(separator: "; ").printable(limit: 1000))")
            }
            if request.signing?.status == "failed" { throw DrillBlocked("request \(id.prefix(16))…'s signing failed: \((request.signing?.failure ?? "?").printable(limit: 1000))") }
            return request.signing?.status == "signed"
        }
        return states.values.first?.requests.first { $0.id == id }?.signing?.signers ?? []
    }

    // MARK: stopping nodes

    /// The process id of `node`'s `custos node run`, found by its data folder (resolved against
    /// the process's working directory, as it was started).
    func process(of node: String) -> Int32? {
        let wanted = URL(fileURLWithPath: layout.node(node)).standardizedFileURL.path
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
            let arguments = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard arguments.count > 3, arguments[1] == "node", arguments[2] == "run", let at = arguments.firstIndex(of: "--data"),
                  at + 1 < arguments.count else { continue }
            let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? "/"
            let data = arguments[at + 1]
            let path = URL(fileURLWithPath: data.hasPrefix("/") ? data : (cwd as NSString).appendingPathComponent(data)).standardizedFileURL.path
            if path == wanted { return pid }
        }
        return nil
    }

    /// The state letter of a process (`T` stopped, `S` sleeping, …); nil once it is gone.
    static func state(_ pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first?.first
    }

    func pause(_ node: String) throws(DrillBlocked) {
        guard let pid = process(of: node) else { throw DrillBlocked("no running custos node run for \(layout.node(node)): is custos dev up running on this folder?") }
        guard kill(pid, SIGSTOP) == 0 else { throw DrillBlocked("cannot stop \(node) (process \(pid)): errno \(errno)") }
        paused[node] = pid
    }

    /// Lets every node the drill stopped run again; what was done, a line each.
    func resumeAll() -> [String] {
        defer { paused = [:] }
        return paused.sorted { $0.key < $1.key }.map { node, pid in
            kill(pid, SIGCONT) == 0 ? "\(node) (process \(pid)) runs again (SIGCONT)" : "\(node) (process \(pid)) could not be resumed: errno \(errno)"
        }
    }

    // MARK: steps

    /// Performs `step` of `scenario`: done with what it read, or blocked with what blocked it.
    func perform(_ scenario: DrillScenario, _ step: DrillStep) async -> DrillStepResult {
        evidence = []
        do {
            switch scenario {
            case .botKeyStolen: try await botKeyStolen(step.id)
            case .rogueInsider: try await rogueInsider(step.id)
            case .lostSite: try await lostSite(step.id)
            case .nodeCompromised: try await nodeCompromised(step.id)
            }
            return .done(evidence)
        } catch {
            return .blocked(error.reason, evidence: evidence)
        }
    }

    /// Whatever a drill stopped runs again, and what a scenario left pending is settled; a line each.
    func restore(after scenario: DrillScenario) async -> [String] {
        var lines = resumeAll()
        if scenario == .lostSite { lines += await settleLostSite() }
        return lines
    }
}
