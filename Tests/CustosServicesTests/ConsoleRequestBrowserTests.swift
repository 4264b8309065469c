import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Requests held for approvals in the console, in a real browser (headless Chromium with a
/// virtual authenticator, `ConsoleBrowserTests.browse`) against real processes, under
/// `ConsoleRequestFixture.policy()`: alice asks for a large transfer to a look-alike of
/// kraken-eth (two admins) and routine ones (one admin). Approvers read each request decoded,
/// with why it needs them and what is unusual; the page hashes the signing input it displays
/// into the id its timed challenge binds, and every node checks the approvals in its own state.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct ConsoleRequestBrowserTests {
    /// A cluster under the fixture's policy (its gateway started with `gatewayArguments`).
    static func startCluster(gatewayArguments: [String] = []) async throws -> (LocalCluster, port: Int) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("console-request-policy-\(UUID().uuidString).yaml")
        try Data(try ConsoleRequestFixture.policy().utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try await ConsoleBrowserTests.startCluster(gatewayArguments: gatewayArguments, policy: file)
    }

    /// Submits alice's requests (`bodies`, in order) with her software credential, its counter
    /// from `signCount` (above every earlier submission's); their ids, once every node holds them
    /// waiting for approvals (or, not `held`, recorded at all).
    static func submit(_ cluster: LocalCluster, port: Int, _ bodies: [JSONValue], held: Bool = true, signCount: UInt32? = nil) async throws -> [String] {
        let genesis = try await cluster.genesisDigest()
        var alice = try cluster.credential("alice", signCount: signCount)
        var ids: [String] = []
        for body in bodies {
            let (entry, id) = try ConsoleRequestFixture.submission(
                body, by: "alice", genesis: genesis, timestamp: UInt64(Date().timeIntervalSince1970 * 1000), authenticator: &alice,
                rpId: "localhost", origin: "http://localhost:\(port)")
            let answer = try await cluster.submit(entry)
            #expect(answer.status == .accepted, "\(String(decoding: answer.body, as: UTF8.self))")
            ids.append(id)
        }
        _ = try await cluster.waitForGovernance { g in
            ids.allSatisfy { id in g.requests.contains { $0.id == id && (!held || $0.approvals?.status == "pending") } }
        }
        return ids
    }

    @Test func approversReadEachRequestDecodedApproveItWithAMeasuredReviewAndApproveIdenticalOnesTogether() async throws {
        let (cluster, port) = try await Self.startCluster()
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        // Real transaction requests from the vault hot-trading: once approved, every node plans
        // their transactions for signing.
        try await ConsoleRequestFixture.prepareVault(cluster)
        let pay = { (amount: String, to: String, memo: String) in
            ConsoleRequestFixture.transfer(by: "alice", amount: amount, to: to, memo: memo, from: "m")
        }
        // USDC is priced (review M1: an unpriced request is never batched), and kraken-eth was
        // paid 50 USDC before (approved by erin): transfers of 50 to it are routine.
        try await ConsoleRequestFixture.priceLive(cluster)
        let paid = try await Self.submit(cluster, port: port, [pay("50", ConsoleRequestFixture.kraken, "")])
        _ = try await LocalCluster.run(cluster.binary, [
            "request", "approve", "--yes", "--gateway", cluster.baseURL, "--as", cluster.credentialFile("erin").path, paid[0],
        ])
        _ = try await cluster.waitForGovernance { g in g.requests.first { $0.id == paid[0] }?.approvals?.status == "approved" }
        let hostile = #"<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & 'q'"#
        let ids = try await Self.submit(cluster, port: port, [
            pay("250000", ConsoleRequestFixture.lookalike, hostile),
            pay("50", ConsoleRequestFixture.kraken, ""), pay("50", ConsoleRequestFixture.kraken, ""), pay("50", ConsoleRequestFixture.kraken, ""),
            pay("60", ConsoleRequestFixture.kraken, ""),
            ConsoleRequestFixture.approval(by: "alice", spender: ConsoleRequestFixture.kraken, units: 50_000_000),
        ], signCount: 100)
        let (large, routine, other, call) = (ids[0], Array(ids[1...3]), ids[4], ids[5])

        // frank reads his inbox: the large one with its look-alike flag, the three routine ones on
        // one line, the other, the token approval; he opens and approves the large one, then the
        // three together, then reads the token approval the page decoded itself.
        let frank = try await ConsoleBrowserTests.browse(cluster, port: port, as: "frank", signCount: 100, [
            ConsoleBrowserTests.action("signIn"), ConsoleBrowserTests.action("requestInbox", screenshot: "request-inbox.png"),
            ConsoleBrowserTests.action("openRequest", screenshot: "request.png", path: "/console/requests/\(large)"),
            ConsoleBrowserTests.action("script", expression: """
                window.__pwned === undefined && document.querySelectorAll('#signed-requests script, #signed-requests img').length === 0
                """),
            ConsoleBrowserTests.action("approveRequest", path: "/console/requests/\(large)"),
            ConsoleBrowserTests.action("openRequest", screenshot: "request-batch.png", path: "/console/batches/\(routine[0])"),
            ConsoleBrowserTests.action("approveRequest", path: "/console/batches/\(routine[0])"),
            ConsoleBrowserTests.action("openRequest", screenshot: "request-call.png", path: "/console/requests/\(call)"),
            ConsoleBrowserTests.action("script", expression: "document.getElementById('approve') !== null && document.body.dataset.mismatch === undefined"),
        ])
        let rows = try #require(frank[1].rows)
        #expect(rows.map { [$0[0], $0[1]] } == [[large, "1"], [routine[0], "3"], [other, "1"], [call, "1"]], "\(rows)")
        #expect(rows[0][3].lowercased().hasPrefix(
            "Transfer 250,000 USDC from hot-trading to \(ConsoleRequestFixture.lookalike) (not in the address book) on ethereum⚠ LOOK-ALIKE: ".lowercased()), "\(rows[0])")
        #expect(rows[0][4] == "2 more from admins (rule require-two-admins-large)" && rows[0][5] == "alice")
        #expect(rows[1][3].lowercased().hasPrefix("3 × Transfer 50 USDC from hot-trading to kraken-eth \(ConsoleRequestFixture.kraken) on ethereum".lowercased()), "\(rows[1])")
        // Priced and paid as much before: nothing unusual (unpriced, they would be on lines of their own).
        #expect(!rows[1][3].contains("⚠"), "\(rows[1])")
        // The page shows the id every node knows the request by, computed in the browser from
        // the signing input it displays, and what the browser itself read from that text.
        let opened = frank[2]
        #expect(ConsoleBrowserTests.shownDigest(opened.digest) == String(large.prefix(16)))
        #expect(opened.ids == [large])
        #expect(opened.read == ["transfer of 250000 USDC to \(ConsoleRequestFixture.lookalike) on chain ethereum from vault hot-trading, initiated by alice, memo \"\(hostile)\""],
                "\(String(describing: opened.read))")
        #expect(opened.warnings?.contains { $0.contains("LOOK-ALIKE") && $0.contains("kraken-eth") } == true, "\(String(describing: opened.warnings))")
        #expect(opened.warnings?.contains { $0.hasPrefix("Approved only on its own, never in a batch: LOOK-ALIKE") } == true)
        #expect(frank[3].value == true, "a memo made of HTML is shown as text and nothing of it runs")
        #expect(frank[4].notice?.contains("Your approval is queued") == true, "\(frank[4])")
        #expect(frank[5].ids == routine)
        #expect(frank[6].notice?.contains("Your approval of 3 requests is queued") == true, "\(frank[6])")
        // Review M2: the script decodes the ERC-20 approve from the signed calldata itself; the
        // table's amount row agrees with it (review M4).
        #expect(frank[7].read == ["contract_call approve(spender \(ConsoleRequestFixture.kraken), amount 50000000 (in the token's smallest units)) on token "
            + "\(ConsoleRequestFixture.usdc) with value 0 on chain ethereum from vault hot-trading, initiated by alice"], "\(String(describing: frank[7].read))")
        #expect(frank[8].value == true, "the table agrees with the calldata: the approve button stays")

        var statuses = try await cluster.waitForGovernance { g in
            g.requests.first { $0.id == large }?.approvals?.approvals.map(\.user) == ["frank"]
                && routine.allSatisfy { id in g.requests.first { $0.id == id }?.approvals?.status == "approved" }
        }
        for (node, status) in statuses {
            let g = try #require(status.governance)
            #expect(g.requests.first { $0.id == other }?.approvals?.approvals.isEmpty == true, "\(node): the batch approves no other request")
            for id in routine {
                let view = g.requests.first { $0.id == id }
                #expect(view?.approvals?.approvals.map(\.user) == ["frank"], "\(node)")
                // Past approval: every node now waits for its transaction's fees and nonce, until a deadline.
                #expect(view?.allowed == true && view?.transaction?.status == "awaiting-parameters" && view?.transaction?.parametersDeadline != nil,
                        "\(node): \(String(describing: view?.transaction))")
            }
            let held = g.requests.first { $0.id == other }
            #expect(held?.allowed == false && held?.transaction?.parametersDeadline == nil, "\(node): \(String(describing: held?.transaction))")
        }

        // The CLI signs no batch holding a request to be read on its own, and names it with why.
        do {
            let out = try await LocalCluster.run(cluster.binary, [
                "request", "approve", "--yes", "--gateway", cluster.baseURL, "--as", cluster.credentialFile("erin").path, other, large,
            ])
            Issue.record("the CLI signed a batch holding a look-alike: \(out)")
        } catch {
            // other (60 USDC) is the largest so far to kraken-eth, large a look-alike's.
            #expect("\(error)".contains("not signed: 2 of the 2 requests are approved only on their own, never in a batch — request \(other): LARGEST SO FAR"),
                    "\(error)")
            #expect("\(error)".contains(" — request \(large): LOOK-ALIKE: "), "\(error)")
        }

        // grace approves the large one too: it is approved on every node, each approval with the
        // review its page measured, bound into the assertion.
        let grace = try await ConsoleBrowserTests.browse(cluster, port: port, as: "grace", signCount: 100, [
            ConsoleBrowserTests.action("signIn"), ConsoleBrowserTests.action("approveRequest", path: "/console/requests/\(large)"),
        ])
        #expect(grace[1].notice?.contains("Your approval is queued") == true, "\(grace[1])")
        statuses = try await cluster.waitForGovernance { g in g.requests.first { $0.id == large }?.approvals?.status == "approved" }
        for (node, status) in statuses {
            let approvals = try #require(status.governance?.requests.first { $0.id == large }?.approvals?.approvals)
            #expect(approvals.map(\.user) == ["frank", "grace"] && approvals.allSatisfy { $0.reviewMillis != nil && $0.counted }, "\(node): \(approvals)")
        }
        let view: RequestView = try await cluster.getJSON("/v1/requests/\(large)")
        #expect(view.allowed && view.approvals?.approvals.allSatisfy { $0.reviewMillis != nil } == true)

        // Review M2, as the attacker: the gateway, restarted lying, names another spender in its
        // decoded table than the signed calldata. The page says so and offers no approval.
        cluster.killGateway(signal: SIGKILL)
        try await cluster.startGateway(port: port, extraArguments: ["--unsafe-test-console-alters-call-table", "other-address"])
        let lied = try await ConsoleBrowserTests.browse(cluster, port: port, as: "frank", signCount: 200, [
            ConsoleBrowserTests.action("signIn"),
            ConsoleBrowserTests.action("openRequest", screenshot: "request-call-altered.png", path: "/console/requests/\(call)"),
            ConsoleBrowserTests.action("script", expression: "document.getElementById('approve') === null && document.body.dataset.mismatch === 'true'"),
        ])
        let spoofed = "0x" + String(repeating: "1", count: 40)
        #expect(lied[1].read?.first?.contains("MISMATCH: the table names spender \(spoofed) but the signed calldata says \(ConsoleRequestFixture.kraken)") == true,
                "\(String(describing: lied[1].read))")
        #expect(lied[1].digest?.contains("is not what is signed") == true, "\(String(describing: lied[1].digest))")
        #expect(lied[2].value == true, "no approve button on a page whose table the calldata contradicts")

        // Review M4, as the attacker: the gateway hides the amount's row behind a false one,
        // shows the true amount beside a false one (under the same label, or one that reads as
        // it), or lies about the amount. Each time the
        // page names the mismatch and signs nothing; no approval of the call reaches the log.
        let amount = "50000000 (in the token's smallest units)"
        let lies = [
            ("hidden-amount", "the table names amount 2 times ((a hidden row), 9\(amount)); the signed calldata sets it once, to \(amount)"),
            ("duplicated-amount", "the table names amount 2 times (\(amount), 9\(amount)); the signed calldata sets it once, to \(amount)"),
            ("other-amount", "the table names amount 9\(amount) but the signed calldata says \(amount)"),
            // Review M-b: a row the script cannot compare, under a label that reads as "amount".
            ("look-alike-label", "the table has a row \"\u{0430}mount\" that a request of this kind does not have"),
        ]
        for (n, (lie, said)) in lies.enumerated() {
            cluster.killGateway(signal: SIGKILL)
            try await cluster.startGateway(port: port, extraArguments: ["--unsafe-test-console-alters-call-table", lie])
            let page = try await ConsoleBrowserTests.browse(cluster, port: port, as: "frank", signCount: UInt32(300 + 100 * n), [
                ConsoleBrowserTests.action("signIn"),
                ConsoleBrowserTests.action("openRequest", screenshot: "request-call-\(lie).png", path: "/console/requests/\(call)"),
                // The person clicks wherever an approve button would be: there is none to click.
                ConsoleBrowserTests.action("script", expression: """
                    document.getElementById('approve') === null && document.querySelectorAll('#decide-request button[data-act="approve"]').length === 0
                      && document.body.dataset.mismatch === 'true'
                    """),
            ])
            #expect(page[1].read?.first?.contains("MISMATCH: \(said)") == true, "\(lie): \(String(describing: page[1].read))")
            #expect(page[1].digest?.contains("is not what is signed") == true, "\(lie): \(String(describing: page[1].digest))")
            #expect(page[2].value == true, "\(lie): no approve button")
        }
        let height = try await cluster.waitForGovernance { g in g.height > 0 }
        for (node, status) in height {
            let g = try #require(status.governance)
            #expect(g.requests.first { $0.id == call }?.approvals?.approvals.isEmpty == true, "\(node): no approval of the call")
            #expect(!g.refusals.contains { $0.operationId == call }, "\(node): nothing was even submitted for it")
        }
        passed = true
    }

    @Test func anApprovalOfARequestPageTheGatewayAlteredIsRefusedByEveryNode() async throws {
        // A gateway that shows approvers another amount than the request's, and queues what it
        // gets unchecked, so that the nodes' own checks are what is tried.
        let (cluster, port) = try await Self.startCluster(gatewayArguments: ["--unsafe-test-console-alters-display", "--unsafe-test-queue-unchecked"])
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        let id = try #require(try await Self.submit(cluster, port: port, [ConsoleRequestFixture.transfer(by: "alice", amount: "250000")]).first)
        let frank = try await ConsoleBrowserTests.browse(cluster, port: port, as: "frank", signCount: 100, [
            ConsoleBrowserTests.action("signIn"),
            ConsoleBrowserTests.action("openRequest", screenshot: "request-altered.png", path: "/console/requests/\(id)"),
            ConsoleBrowserTests.action("approveRequest", path: "/console/requests/\(id)"),
        ])
        // The page shows (and so signs) 9,250,000 USDC: the id the browser computes is not the request's.
        #expect(frank[1].read?.first?.hasPrefix("transfer of 9250000 USDC") == true, "\(frank[1])")
        #expect(frank[1].ids?.first?.hasPrefix(id) == false)
        #expect(frank[2].notice?.contains("Your approval is queued") == true, "\(frank[2])")
        let statuses = try await cluster.waitForGovernance { g in g.refusals.contains { $0.operationId == id && $0.user == "frank" } }
        for (node, status) in statuses {
            let g = try #require(status.governance)
            let refusal = try #require(g.refusals.first { $0.operationId == id })
            #expect(refusal.kind == "request.approve" && refusal.code == "assertionRefused" && refusal.webAuthn == "wrongChallenge", "\(node): \(refusal.reason)")
            #expect(g.requests.first { $0.id == id }?.approvals?.approvals.isEmpty == true, "\(node)")
        }
        passed = true
    }
}
