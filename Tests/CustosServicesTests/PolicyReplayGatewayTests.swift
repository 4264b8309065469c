import AsyncHTTPClient
import Crypto
import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import CustosTestSupport
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing
@testable import CustosGateway

/// The replay of a proposed policy through a gateway served in process (no nodes: its blocks are
/// certified here with three of the four members' votes): `POST /v1/policies/replay` and
/// `custos policy replay FILE --gateway URL` list the committed requests whose decision changes,
/// labelled as the gateway's computation at its height, and refuse what they should.
@Suite(.timeLimit(.minutes(5)))
struct PolicyReplayGatewayTests {
    /// The console fixture's policy with its routine rule moved from over 10 to over 40 units:
    /// heidi's 20 USDC no longer needs an admin, her 50 still does.
    static func relaxed() throws -> String {
        let policy = try ConsoleRequestFixture.policy()
        let relaxed = policy.replacingOccurrences(of: "match: {amount: {over: 10, up_to: 100000}}", with: "match: {amount: {over: 40, up_to: 100000}}")
            .replacingOccurrences(of: "\nversion: 14\n", with: "\nversion: 15\n")
        #expect(relaxed != policy && relaxed.contains("\nversion: 15\n"))
        return relaxed
    }

    /// A gateway whose committed state holds heidi's transfers of 50 and 20 USDC to kraken-eth,
    /// each held for one admin; the ids of the two.
    func gateway() async throws -> (Gateway, fifty: String, twenty: String) {
        var committed = try await CommittedGateway()
        let fifty = try await committed.transfer("50"), twenty = try await committed.transfer("20")
        for id in [fifty, twenty] { #expect(await committed.gateway.governanceState.requestBook.requests[id]?.outcome == .needsApprovals) }
        return (committed.gateway, fifty, twenty)
    }

    static func post(_ client: HTTPClient, _ url: String, _ body: String) async throws -> (status: Int, text: String) {
        var request = HTTPClientRequest(url: url + "/v1/policies/replay")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    @Test func theAPIAndTheCLIListTheChangedDecisionsAsTheGatewaysComputation() async throws {
        let (gateway, fifty, twenty) = try await gateway()
        let height = await gateway.governanceState.height
        let policy = try Self.relaxed()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString).yaml")
        try Data(policy.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await InProcessGateway.with(gateway) { url in
                let body = String(decoding: try JSONEncoder().encode(PolicyReplayView.Query(policy: policy, sinceSeconds: 3600)), as: UTF8.self)
                let answer = try await Self.post(client, url, body)
                #expect(answer.status == 200, "\(answer.text)")
                let replay = try JSONDecoder().decode(PolicyReplayView.self, from: Data(answer.text.utf8))
                #expect(replay.height == height && replay.note == "computed by the gateway at height \(height); not verified by any node")
                #expect(replay.replayed == 2 && replay.changedCount == 1)
                #expect(replay.changes.map(\.requestId) == [twenty], "not \(fifty)")
                #expect(replay.changes.first?.old == "needs 1 approval (admins), never approved" && replay.changes.first?.new == "allow")
                #expect(replay.looserCount == 1 && replay.changes.first?.loosens == true)
                #expect(replay.changes.first?.oldFate == "not-signed" && replay.changes.first?.newFate == "allowed")
                #expect(replay.changes.first?.summary == "20 USDC to kraken-eth")

                let out = try await CustosExecutable.run(["policy", "replay", file.path, "--gateway", url, "--since", "1h"])
                #expect(out.status == 0, "\(out.stderr)")
                #expect(out.stdout.contains("replay      computed by the gateway at height \(height); not verified by any node"), "\(out.stdout)")
                #expect(out.stdout.contains("changed     1 of 2 decisions, 1 of them looser (listed first)"))
                #expect(out.stdout.contains("  \(twenty.prefix(12)), 20 USDC to kraken-eth: needs 1 approval (admins), never approved → allow: rule allow-people-transfers allows it"))
                #expect(!out.stdout.contains(String(fifty.prefix(12))))
                let json = try await CustosExecutable.run(["policy", "replay", file.path, "--gateway", url, "--since", "1h", "--json"])
                #expect(try JSONDecoder().decode(PolicyReplayView.self, from: Data(json.stdout.utf8)).changes.map(\.requestId) == [twenty])

                // Refused: a period beyond what the windows hold, a body with more than asked,
                // a policy every node would refuse.
                let long = try await CustosExecutable.run(["policy", "replay", file.path, "--gateway", url, "--since", "32d"])
                #expect(long.status == 2 && long.stderr.contains("at most 31d"))
                for bad in [#"{"policy": "x", "sinceSeconds": 0}"#, #"{"policy": "x", "sinceSeconds": 60, "more": 1}"#, #"{"policy": 1, "sinceSeconds": 60}"#] {
                    let refused = try await Self.post(client, url, bad)
                    #expect(refused.status == 400 && refused.text.contains("replay.malformed"), "\(bad): \(refused.text)")
                }
                let unparsable = try await Self.post(client, url, #"{"policy": "policy: [", "sinceSeconds": 60}"#)
                #expect(unparsable.status == 422 && unparsable.text.contains("replay.refused"), "\(unparsable.text)")
                // The version in force again: its execution would be refused, so is its replay.
                let stale = String(decoding: try JSONEncoder().encode(PolicyReplayView.Query(
                    policy: policy.replacingOccurrences(of: "\nversion: 15\n", with: "\nversion: 14\n"), sinceSeconds: 3600)), as: UTF8.self)
                let refusedVersion = try await Self.post(client, url, stale)
                #expect(refusedVersion.status == 422 && refusedVersion.text.contains("does not exceed the current 14"), "\(refusedVersion.text)")
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// A gateway that lies in its answer: a note claiming what no gateway can, and strings
    /// carrying terminal control sequences. The CLI labels the replay itself, escapes every
    /// string the gateway sent, and --json is the decoded view encoded again (the note its own,
    /// fields it does not know dropped, control characters escaped by the encoder).
    @Test func theCLIDoesNotRepeatALyingGatewaysWords() async throws {
        let (gateway, _, twenty) = try await gateway()
        let height = await gateway.governanceState.height
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString).yaml")
        try Data(try Self.relaxed().utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let lie = LyingGateway.answer(to: "POST", "/v1/policies/replay") { value in
            var answer = value as! [String: Any]
            answer["note"] = "verified by every node"
            answer["injected"] = "raw"
            var changes = answer["changes"] as! [[String: Any]]
            changes[0]["summary"] = "20 USDC to kraken-eth\u{1b}[2K\rall clear"
            changes[0]["reason"] = "fine\u{1b}]0;title\u{7}"
            answer["changes"] = changes
            answer["limitations"] = ["\u{1b}[8mnothing to see"]
            value = answer
        }
        try await InProcessGateway.with(gateway) { url in
            try await LyingGateway.with(upstream: url, alter: lie) { lying, _ in
                let out = try await CustosExecutable.run(["policy", "replay", file.path, "--gateway", lying, "--since", "1h"])
                #expect(out.status == 0, "\(out.stderr)")
                #expect(!out.stdout.contains("verified by every node"), "\(out.stdout)")
                #expect(out.stdout.contains("replay      computed by the gateway at height \(height); not verified by any node"))
                #expect(!out.stdout.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 || $0.value == 0x0d }, "\(out.stdout)")
                #expect(out.stdout.contains("\(twenty.prefix(12)), 20 USDC to kraken-eth\\u{1b}[2K\\u{d}all clear: "))
                #expect(out.stdout.contains("note        \\u{1b}[8mnothing to see"))
                let json = try await CustosExecutable.run(["policy", "replay", file.path, "--gateway", lying, "--since", "1h", "--json"])
                #expect(json.status == 0, "\(json.stderr)")
                #expect(!json.stdout.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 }, "\(json.stdout)")
                #expect(!json.stdout.contains("injected") && !json.stdout.contains("verified by every node"))
                let view = try JSONDecoder().decode(PolicyReplayView.self, from: Data(json.stdout.utf8))
                #expect(view.note == PolicyReplayView.note(height: height))
                #expect(view.changes.first?.summary == "20 USDC to kraken-eth\u{1b}[2K\rall clear", "the data itself is kept, escaped by the encoder")
            }
        }
    }

    /// One replay at a time: an asker while one runs is told `busy` (the route's 429 with
    /// Retry-After), and once the first is done the same question is answered from the kept
    /// answers without computing again.
    @Test func aSecondReplayWhileOneRunsIsTurnedAwayAndTheAnswerIsKept() async throws {
        let (gateway, _, twenty) = try await gateway()
        let state = await gateway.governanceState
        let calls = ReplayCalls()
        let (started, hasStarted) = AsyncStream.makeStream(of: Void.self)
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        let desk = PolicyReplayDesk { yaml, since, state, cap in
            await calls.count()
            hasStarted.yield()
            for await _ in released { break }
            return PolicyReplayDesk.compute(yaml: yaml, since: since, in: state, maximumWork: cap)
        }
        let policy = try Self.relaxed()
        let since = state.time - min(state.time, 3_600_000)
        async let first = desk.replay(yaml: policy, since: since, in: state, height: state.height)
        for await _ in started { break }
        guard case .busy = await desk.replay(yaml: policy, since: since, in: state, height: state.height) else {
            Issue.record("a second replay ran while the first did")
            return
        }
        release.yield()
        guard case .replayed(let replay, _) = await first else { Issue.record("the first replay was not answered"); return }
        #expect(replay.changes.map(\.requestId) == [twenty])
        guard case .replayed(let kept, _) = await desk.replay(yaml: policy, since: since, in: state, height: state.height) else {
            Issue.record("the kept answer was not given")
            return
        }
        #expect(kept == replay)
        #expect(await calls.value == 1, "the kept answer is not computed again")
    }

    /// A replay's work counts the windows' history walked under every limit of both policies,
    /// not only the requests of its period (review helper-92 M3): a one-second period under a
    /// policy of many limits is measured, and over the cap it is not run.
    @Test func aShortPeriodUnderManyLimitsIsStillMeasured() async throws {
        let (gateway, _, _) = try await gateway()
        let state = await gateway.governanceState
        let limits = (0..<300).map { "  many-\($0): {per: initiator, window: 1h, max_count: 1000}\n" }.joined()
        let many = try Self.relaxed().replacingOccurrences(of: "\nlimits:\n", with: "\nlimits:\n" + limits)
        #expect(many.contains("many-299"))
        // A period that starts after the head: no request of it is decided again.
        let since = state.time + 1
        #expect(state.replayedRequests(since: since) == 0 && !state.requestBook.order.isEmpty)
        let work = state.replayWork(of: try state.proposedPolicy(yaml: many), since: since).work
        #expect(work >= 300 * state.requestBook.order.count, "\(work)")
        guard case .tooMuchWork = PolicyReplayDesk.compute(yaml: many, since: since, in: state, maximumWork: work - 1) else {
            Issue.record("a replay over the cap was run")
            return
        }
        guard case .replayed = PolicyReplayDesk.compute(yaml: many, since: since, in: state, maximumWork: work) else {
            Issue.record("a replay at the cap was not run")
            return
        }
    }
}

/// How often a test's replay computation ran.
private actor ReplayCalls {
    private(set) var value = 0
    func count() { value += 1 }
}
