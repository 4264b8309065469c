import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosPolicy
import CustosState
import Foundation

/// `custos policy check|explain|diff|replay`: authoring and reviewing policies from a terminal.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check, explain, compare and replay policy documents.",
        subcommands: [Check.self, Explain.self, Diff.self, Replay.self]
    )

    /// Prints one line to standard error.
    static func report(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Reads a UTF-8 file of at most `limit` bytes; a one-line error and exit code 2 otherwise.
    static func read(_ path: String, limit: Int = DocumentLimits.policy.maxBytes) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            report("\(path): cannot open file")
            throw ExitCode(2)
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            report("\(path): cannot read file")
            throw ExitCode(2)
        }
        guard data.count <= limit else {
            report("\(path):1:1: error: file is larger than \(limit) bytes [too-large]")
            throw ExitCode(1)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            report("\(path):1:1: error: file is not UTF-8 text [yaml-syntax]")
            throw ExitCode(1)
        }
        return text
    }

    /// Loads a policy, printing its errors as `file:line:column: message` lines on failure.
    static func load(_ path: String) throws -> CompiledPolicy {
        let validation = PolicyValidation(yaml: try read(path))
        guard let policy = validation.policy, validation.isValid else {
            for d in validation.diagnostics { report(d.formatted(file: path)) }
            throw ExitCode(1)
        }
        return policy
    }

    /// Decodes a document's shape only (for diffs), printing its errors on failure.
    static func decode(_ path: String, text: String? = nil) throws -> PolicyDocument {
        do {
            return try PolicyDocument.decode(yaml: text ?? read(path))
        } catch let error as PolicyLoadError {
            for d in error.diagnostics { report(d.formatted(file: path)) }
            throw ExitCode(1)
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a policy: exit 0 only when it is valid; problems go to standard error as file:line:column lines.")

        @Argument(help: "The policy document (YAML).")
        var file: String

        @Flag(help: "Treat warnings (shadowed rules, unlimited allows, ...) as errors.")
        var strict = false

        func run() throws {
            let validation = PolicyValidation(yaml: try PolicyCommand.read(file))
            for d in validation.diagnostics { PolicyCommand.report(d.formatted(file: file)) }
            let warnings = validation.diagnostics.filter { $0.severity == .warning }.count
            guard let policy = validation.policy, validation.isValid, !(strict && warnings > 0) else { throw ExitCode(1) }
            print("\(file): ok: policy \(policy.document.name) version \(policy.document.version), \(policy.document.rules.count) rules, \(warnings) warning\(warnings == 1 ? "" : "s")")
            for line in [policy.stalenessLine, policy.unwatchedLine].compactMap(\.self) { print("  " + line) }
        }
    }

    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decide one request against a policy, or against the live cluster, and explain the decision.",
            discussion: """
                With a policy file, the request is decided against that document and --state (or an empty state).
                With --gateway URL instead, the request body (as its initiator would submit it) is decided against
                the cluster's committed state: its policy, windows, prices and address book at the head H, at the
                gateway's clock, as every node would decide it if submitted in the next block. Nothing is submitted.
                It is the gateway's answer, not verified by any node: what counts is each node's own decision. It
                evaluates submission only: approval-time checks (approval-fatigue limits, hasty-approval flags) are
                not part of it.
                """)

        @Argument(help: "The policy document (YAML); omit it with --gateway.")
        var file: String?

        @Option(help: "The request (JSON): a transfer, contract call or governance request as the policy reads it, or a message request body as a bot submits it.")
        var request: String

        @Option(help: "The state snapshot (JSON): time, prices, window totals, frozen.")
        var state: String?

        @Option(help: "A gateway's base URL: decide against the live cluster's committed state (a dry run) instead of a file.")
        var gateway: String?

        @Flag(help: "Print the gateway's JSON (with --gateway).") var json = false

        func validate() throws {
            guard (file == nil) != (gateway == nil) else { throw ValidationError("give a policy file or --gateway URL, not both and not neither") }
            if gateway != nil, state != nil { throw ValidationError("--state is for a policy file; --gateway reads the cluster's committed state") }
            if gateway == nil, json { throw ValidationError("--json is for --gateway") }
        }

        func run() async throws {
            if let gateway { return try await dryRun(gateway) }
            let policy = try PolicyCommand.load(file!)
            let requestValue: PolicyRequest
            let stateValue: StateSnapshot
            let requestText = try PolicyCommand.read(request, limit: DocumentLimits.request.maxBytes)
            do {
                if let body = try? JSONParser().parse(Array(requestText.utf8)), MessageRequest.isMessage(body) {
                    // A message request is explained from its body, through the view every node derives.
                    do { requestValue = try MessageRequest(json: body).policyRequest() } catch {
                        PolicyCommand.report("\(request): \(error.reason)")
                        throw ExitCode(1)
                    }
                } else {
                    requestValue = try PolicyRequest.decode(json: requestText)
                }
            } catch let error as PolicyLoadError {
                for d in error.diagnostics { PolicyCommand.report(d.formatted(file: request)) }
                throw ExitCode(1)
            }
            if let state {
                do {
                    stateValue = try StateSnapshot.decode(json: try PolicyCommand.read(state, limit: DocumentLimits.request.maxBytes))
                } catch let error as PolicyLoadError {
                    for d in error.diagnostics { PolicyCommand.report(d.formatted(file: state)) }
                    throw ExitCode(1)
                }
            } else {
                PolicyCommand.report("note: no --state given: time 1970-01-01T00:00:00Z, no prices, empty windows (USD clauses fail closed)")
                stateValue = StateSnapshot(time: 0)
            }
            print(policy.explain(requestValue, in: stateValue).text)
        }

        /// The dry run: the request file's bytes go to the gateway as they are.
        private func dryRun(_ gateway: String) async throws {
            let body = Data(try PolicyCommand.read(request, limit: DocumentLimits.request.maxBytes).utf8)
            let call = GatewayCall(gateway)
            let raw: Data = try await call.postRaw("/v1/policies/dry-run", body)
            if json { print(String(decoding: raw, as: UTF8.self)); return }
            let run = try JSONDecoder().decode(RequestDryRunView.self, from: raw)
            var lines = [
                "dry run     computed by the gateway (\(printable(gateway))) at height \(run.height); not verified by any node",
                "            at submission against head \(run.height), block time \(PolicyCommand.utc(run.blockTime)), policy version \(run.policyVersion);",
                "            approval-time checks (fatigue limits, hasty flags) are not part of it",
                "initiator   \(printable(run.initiator)) (\(run.initiatorKind))",
                "decision    \(run.outcome)" + (run.rules.isEmpty ? "" : " (\(run.rules.map(printable).joined(separator: ", ")))"),
            ]
            lines += run.explanation.map { "            " + printable($0) }
            print(lines.joined(separator: "\n"))
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the committed requests of a recent period whose decision a proposed policy would change.",
            discussion: """
                The gateway decides every request the cluster's committed state keeps from the period again, in log
                order, under the proposed policy, with its rolling windows kept under that policy as it goes (a request
                it would deny, or hold for approvals that were not given, does not count toward later ones), and lists
                each decision that changes: "req-1881…, 2,000,000 USDC to kraken: allow → needs 2 approvals (admins)".
                It is the gateway's computation at height H, not verified by any node; what it cannot know is printed
                with it.
                """)

        @Argument(help: "The proposed policy document (YAML).")
        var file: String

        @Option(help: "The period before the committed head to replay: 30m, 24h, 7d (at most 31d).")
        var since = "24h"

        @Option(help: "The gateway's base URL.")
        var gateway = "http://127.0.0.1:8080"

        @Flag(help: "Print the gateway's JSON.") var json = false

        func run() async throws {
            let seconds: Int
            switch DurationText.seconds(since) {
            case .success(let s) where s <= PolicyReplay.maximumPeriodMilliseconds / 1000: seconds = s
            default:
                PolicyCommand.report("--since \(printable(since)): give a period such as 30m, 24h or 7d, at most 31d")
                throw ExitCode(2)
            }
            let query = PolicyReplayView.Query(policy: try PolicyCommand.read(file), sinceSeconds: seconds)
            let raw: Data = try await GatewayCall(gateway).postRaw("/v1/policies/replay", try JSONEncoder().encode(query))
            if json { print(String(decoding: raw, as: UTF8.self)); return }
            let replay = try JSONDecoder().decode(PolicyReplayView.self, from: raw)
            var lines = [
                "replay      \(replay.note) (\(printable(gateway)))",
                "period      \(PolicyCommand.utc(replay.since)) to \(PolicyCommand.utc(replay.until)), policy version \(replay.policyVersion) → \(replay.newPolicyVersion)",
                "changed     \(replay.changedCount) of \(replay.replayed) decisions",
            ]
            lines += replay.changes.map { c in
                "  " + PolicyReplay.line(requestId: c.requestId, summary: c.summary, old: c.old, new: c.new, fill: c.approvalsGivenFill, reason: c.reason, escape: printable)
            }
            if replay.changes.count < replay.changedCount { lines.append("  … and \(replay.changedCount - replay.changes.count) more (--json lists the first \(replay.changes.count))") }
            lines += replay.limitations.map { "note        " + printable($0) }
            print(lines.joined(separator: "\n"))
        }
    }

    /// A block time (milliseconds since the Unix epoch) as UTC, to the second.
    static func utc(_ milliseconds: UInt64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(milliseconds / 1000)))
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what changed between two versions of a policy, marking weaker and stronger changes; exit 0 only when the new version is valid.")

        @Argument(help: "The current policy.")
        var old: String

        @Argument(help: "The proposed policy.")
        var new: String

        func run() throws {
            let before = try PolicyCommand.decode(old)
            let afterText = try PolicyCommand.read(new)
            let after = try PolicyCommand.decode(new, text: afterText)
            let diff = PolicyDiff(old: before, new: after)
            if diff.changes.isEmpty { print("no changes") }
            for line in diff.lines { print(line) }
            // The proposed version must itself be acceptable (no lockout, no errors).
            let validation = PolicyValidation(yaml: afterText)
            for d in validation.diagnostics { PolicyCommand.report(d.formatted(file: new)) }
            guard validation.isValid else { throw ExitCode(1) }
        }
    }
}
