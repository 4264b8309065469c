import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Limits that add up and prices, through the real processes: a gateway and four signer nodes on
/// loopback, one cluster for the suite. The policy (changed through governance) allows the risk
/// bot three venue logins an hour; they are signed by different signer sets (a node is down for
/// the second, and comes back, rebuilding its state from the log, before the third), and the
/// fourth is denied by every node with the same count in its explanation. Three price bots
/// registered through governance post ETH prices, one of them lying; a transfer's explanation on
/// every node shows the median of the honest two's neighbourhood. A dry run of the denied login
/// and of the transfer (`custos policy explain --gateway`) says what every node then decides.
// Half a turn: alone, its turn kept the CPU 31 % busy (make test, 2026-12-08).
@Suite(.halfExclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct WindowsAndPricesLoopbackTests {
    static let sources = ["price-1", "price-2", "price-3"]

    /// The example policy with an hourly limit of three on the risk bot's venue logins, prices
    /// from at least three sources; and its version.
    static func policy() throws -> (yaml: String, version: Int) {
        let example = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        let line = try #require(example.split(separator: "\n").first { $0.hasPrefix("version:") })
        let version = try #require(Int(line.dropFirst("version:".count).trimmingCharacters(in: .whitespaces))) + 1
        let login = """
                when: "request.message.length <= 256"
                outcome: allow
            """
        #expect(example.contains(login))
        let yaml = example
            .replacing(String(line), with: "version: \(version)")
            .replacing("\nlimits:\n", with: "\nlimits:\n  risk-bot-logins: {per: initiator, window: 1h, max_count: 3}\n")
            .replacing("      message: {format: [raw]}\n" + login, with: "      message: {format: [raw]}\n      within: [risk-bot-logins]\n" + login)
            .replacing("\nprices: {min_sources: 3, max_age: 5m, max_move_percent: 10}\n", with: "\nprices: {min_sources: 3, max_age: 15m, max_move_percent: 10}\n")
        // The second login's first signer set holds the stopped node-1: its attempt ends after
        // the shortest attempt timeout (10 s of block time) rather than the default 30 s.
        return (yaml + "\nsigning: {attempt_timeout: 10s}\n", version)
    }

    /// Proposes `change` as erin and has `approvers` approve it, in order.
    func govern(_ cluster: LocalCluster, _ id: String, _ change: [String], approvers: [String]) async throws {
        try await cluster.op(["propose", "--as", "erin", "--id", id] + change)
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == id } }
        for (count, person) in approvers.enumerated() {
            try await cluster.op(["approve", "--yes", "--as", person, id])
            _ = try await cluster.waitForGovernance { g in
                g.operations.first { $0.id == id }.map { $0.approvals.count > count || $0.status != "proposed" } ?? false
            }
        }
    }

    /// A venue login of the risk bot, once every running node decided it.
    func login(_ cluster: LocalCluster, _ n: Int, nodes: [String]) async throws -> [String: RequestView] {
        let id = try await VaultSigningLoopbackTests().submitMessage(
            cluster, "login-\(n)", vault: "sol-treasury", #"{"format": "raw", "hex": "\#(Array("venue login \(n)".utf8).hexString)"}"#)
        let statuses = try await cluster.waitForGovernance(nodes) { g in g.requests.contains { $0.id == id } }
        return try statuses.mapValues { try #require($0.governance?.requests.first { $0.id == id }) }
    }

    /// The dry run of the request body in `file` through `custos policy explain --gateway --json`.
    func dryRun(_ cluster: LocalCluster, _ file: URL) async throws -> RequestDryRunView {
        let out = try await LocalCluster.run(cluster.binary, ["policy", "explain", "--gateway", cluster.baseURL, "--request", file.path, "--json"])
        return try JSONDecoder().decode(RequestDryRunView.self, from: Data(out.utf8))
    }

    /// Whether a dry run and a committed request carry the same decision, rule for rule and word for word.
    func same(_ run: RequestDryRunView, _ request: RequestView) -> Bool {
        run.outcome == request.outcome && run.rules == request.rules && run.pending == request.pending
            && run.explanation == request.explanation && run.policyVersion == request.policyVersion && run.initiator == request.initiator
    }

    @Test func anHourlyLimitHoldsAcrossSignerSetsAndARestartAndPricesAreMedians() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }
        for source in Self.sources {
            try await govern(cluster, "add-\(source)", ["add-bot", source, "price"], approvers: ["frank", "grace"])
        }
        try await VaultSigningLoopbackTests().solanaVaultAndRiskBot(cluster)
        let file = cluster.root.appendingPathComponent("policy-limits.yaml")
        let policy = try Self.policy()
        try Data(policy.yaml.utf8).write(to: file)
        try await govern(cluster, "logins-hourly", ["change-policy", file.path], approvers: ["frank", "grace", "heidi"])
        _ = try await cluster.waitForGovernance(seconds: 60) { g in
            g.policyVersion == policy.version && g.bots.filter { $0.id.hasPrefix("price-") }.count == 3
                && g.vaults.first?.status == "active"
        }

        // Three logins within the hour, signed by different signer sets, a node restarted between them.
        let first = try await login(cluster, 1, nodes: cluster.nodeIDs)
        #expect(first.values.allSatisfy { $0.outcome == "allow" })
        var statuses = try await cluster.waitForGovernance(seconds: 90) { g in
            g.requests.first { $0.id == first["node-1"]?.id }?.signing?.status == "signed"
        }
        let firstSigners = try #require(statuses["node-1"]?.governance?.requests.first { $0.id == first["node-1"]?.id }?.signing?.signers)
        cluster.killNode("node-1", signal: SIGKILL)
        let others = cluster.nodeIDs.filter { $0 != "node-1" }
        let second = try await login(cluster, 2, nodes: others)
        #expect(second.values.allSatisfy { $0.outcome == "allow" })
        statuses = try await cluster.waitForGovernance(others, seconds: 120) { g in
            g.requests.first { $0.id == second["node-2"]?.id }?.signing?.status == "signed"
        }
        let secondSigners = try #require(statuses["node-2"]?.governance?.requests.first { $0.id == second["node-2"]?.id }?.signing?.signers)
        #expect(firstSigners != secondSigners, "the second login is signed without node-1")
        try cluster.startNode("node-1")
        _ = try await cluster.waitForGovernance(seconds: 60) { g in g.requests.contains { $0.id == second["node-2"]?.id } }
        let third = try await login(cluster, 3, nodes: cluster.nodeIDs)
        #expect(third.values.allSatisfy { $0.outcome == "allow" })
        // The fourth, dry-run first: the gateway decides it against the committed windows as the nodes then do.
        let fourthBody = cluster.root.appendingPathComponent("login-4.json")
        try Data("""
            {"kind": "message", "id": "login-4", "initiator": "risk-bot", "vault": "sol-treasury", "message": {"format": "raw", "hex": "\(Array("venue login 4".utf8).hexString)"}}
            """.utf8).write(to: fourthBody)
        let fourthRun = try await dryRun(cluster, fourthBody)
        let fourth = try await login(cluster, 4, nodes: cluster.nodeIDs)
        for (id, request) in fourth { #expect(same(fourthRun, request), "\(id): \(fourthRun) against \(request)") }
        let figure = "limit risk-bot-logins: 1h for initiator risk-bot: 4 of 3 requests (exceeded)"
        for (id, request) in fourth {
            #expect(request.outcome == "deny" && request.explanation.contains(figure), "\(id): \(request.explanation)")
        }
        #expect(Set(fourth.values.map(\.explanation)).count == 1, "every node explains it alike")
        let digests = try await cluster.waitUntil(cluster.nodeIDs) { s in Set(s.values.compactMap { $0.governance?.stateDigest }).count == 1 }
        #expect(digests.count == 4)

        // Prices: three sources, one lying; the median is the honest neighbourhood's.
        for (source, usd) in zip(Self.sources, ["3000", "3001", "250000"]) {
            let out = try await LocalCluster.run(cluster.binary, [
                "price", "post", "--gateway", cluster.baseURL, "--bot", cluster.credentialFile("\(source).bot").path, "--asset", "ETH",
                "--usd", usd,
            ])
            #expect(out.contains("posted ETH"), "\(out)")
        }
        _ = try await cluster.waitForGovernance { g in g.height > 0 }
        var listed: [PriceView] = []
        for _ in 0..<60 {
            listed = try JSONDecoder().decode([PriceView].self, from: Data(try await LocalCluster.run(
                cluster.binary, ["price", "list", "--json", "--gateway", cluster.baseURL]).utf8))
            if listed.first?.quotes.count == 3 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(listed.map(\.asset) == ["ETH"] && listed.first?.usd == "3001" && listed.first?.sources == 3, "\(listed)")
        let body = cluster.root.appendingPathComponent("topup.json")
        try Data("""
            {"kind": "transfer", "id": "topup-1", "initiator": "risk-bot", "vault": "hot-trading", "chain": "ethereum",
             "asset": "ETH", "amount": "1", "destination": "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f"}
            """.utf8).write(to: body)
        let topupRun = try await dryRun(cluster, body)
        #expect(topupRun.outcome == "allow" && topupRun.initiatorKind == "bot")
        let said = try await LocalCluster.run(cluster.binary, ["policy", "explain", "--gateway", cluster.baseURL, "--request", body.path])
        #expect(said.contains("decision    allow") && said.contains("price of ETH: 3,001 USD, the median of 3 sources"), "\(said)")
        #expect(said.contains("computed by the gateway (\(cluster.baseURL)) at height \(topupRun.height); not verified by any node"), "\(said)")
        #expect(said.contains("approval-time checks (fatigue limits, hasty flags) are not part of it"), "\(said)")
        let out = try await LocalCluster.run(cluster.binary, [
            "request", "submit", "--gateway", cluster.baseURL, "--bot", cluster.credentialFile("risk-bot.bot").path, body.path,
        ])
        let topup = try #require(out.split(separator: "\n").first { $0.hasPrefix("request ") }.map { String($0.dropFirst(8)) })
        statuses = try await cluster.waitForGovernance { g in g.requests.contains { $0.id == topup } }
        for (id, status) in statuses {
            let request = try #require(status.governance?.requests.first { $0.id == topup })
            #expect(request.outcome == "allow", "\(id): \(request.explanation)")
            #expect(request.explanation.contains("price of ETH: 3,001 USD, the median of 3 sources"), "\(id): \(request.explanation)")
            #expect(request.explanation.contains("limit exchange-daily-usd: 24h for counterparty kraken: 3,001 of 5,000,000 USD"),
                    "\(id): \(request.explanation)")
            #expect(same(topupRun, request), "\(id): \(topupRun) against \(request)")
        }

        // What the nodes would refuse, the dry run refuses naming why; what is not JSON is a 400.
        let stranger = try await cluster.post("/v1/policies/dry-run", body: Data(#"{"kind": "transfer", "initiator": "mallory"}"#.utf8))
        #expect(stranger.status.code == 422 && String(decoding: stranger.body, as: UTF8.self).contains(#"initiator \"mallory\" is neither"#),
                "\(String(decoding: stranger.body, as: UTF8.self))")
        let garbled = try await cluster.post("/v1/policies/dry-run", body: Data("{\"kind\": ".utf8))
        #expect(garbled.status.code == 400 && String(decoding: garbled.body, as: UTF8.self).contains("dry-run.malformed-json"))
        passed = true
    }
}
