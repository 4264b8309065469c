import CustosClusterAPI
import CustosCore
@testable import CustosGateway
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

    /// Whether Chromium shows `text` in its tab-modal dialog untrimmed: at most 24 rows of 80
    /// columns, a longer line taking several rows.
    static func fitsADialog(_ text: String) -> Bool {
        text.split(separator: "\n", omittingEmptySubsequences: false).reduce(0) { $0 + max(1, ($1.count + 79) / 80) } <= 24
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
        // 120 characters: the browser's confirmation shows the first 80 and says it cut 40.
        let hostile = #"<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & 'q' and a long tail that the confirmation cuts"#
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
            // He confirms, in the browser's own dialog, the amount and destination he read.
            ConsoleBrowserTests.action("approveRequest", path: "/console/requests/\(large)",
                                       expect: ["250000 USDC to \(ConsoleRequestFixture.lookalike)"]),
            ConsoleBrowserTests.action("openRequest", screenshot: "request-batch.png", path: "/console/batches/\(routine[0])"),
            // The batch's button is below the fold: he scrolls to it, and confirms the count.
            ConsoleBrowserTests.action("approveRequest", path: "/console/batches/\(routine[0])", expect: ["these 3 requests"], scroll: true),
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
        #expect(opened.read == ["transfer of 250000 USDC to \(ConsoleRequestFixture.lookalike) on chain ethereum from vault hot-trading, source address m, initiated by alice, memo \"\(hostile)\""],
                "\(String(describing: opened.read))")
        #expect(opened.warnings?.contains { $0.contains("LOOK-ALIKE") && $0.contains("kraken-eth") } == true, "\(String(describing: opened.warnings))")
        #expect(opened.warnings?.contains { $0.hasPrefix("Approved only on its own, never in a batch: LOOK-ALIKE") } == true)
        #expect(frank[3].value == true, "a memo made of HTML is shown as text and nothing of it runs")
        #expect(frank[4].notice?.contains("Your approval is queued") == true, "\(frank[4])")
        // The browser's confirmation: the script's reading of the signed text, the memo cut.
        #expect(frank[4].accepted == [true], "\(frank[4].dialogs)")
        let reading = "transfer of 250000 USDC to \(ConsoleRequestFixture.lookalike) on chain ethereum "
            + "from vault hot-trading, source address m, initiated by alice, memo \"\(hostile.prefix(80))… (40 MORE CHARACTERS NOT SHOWN HERE)\""
        let expected: String = "APPROVE this request?\nAs your browser read the signed text (not the page):\n" + reading
            + "\nDigest \(large.prefix(16)) …\nOK asks your security key; Cancel signs nothing."
        #expect(frank[4].dialogs.first == expected, "\(frank[4].dialogs)")
        #expect(frank[5].ids == routine)
        #expect(frank[6].notice?.contains("Your approval of 3 requests is queued") == true, "\(frank[6])")
        #expect((frank[6].scrollY ?? 0) > 0, "the page was scrolled before the click")
        let batch = frank[6].dialogs.first ?? ""
        #expect(frank[6].accepted == [true] && batch.hasPrefix("APPROVE these 3 requests with one touch?\n"), "\(batch)")
        // The identical bodies' reading once, then the total and every request's digest.
        #expect(batch == "APPROVE these 3 requests with one touch?\nAs your browser read the signed texts (not the page), each of the 3 requests:\n"
                + "transfer of 50 USDC to \(ConsoleRequestFixture.kraken) on chain ethereum from vault hot-trading, source address m, initiated by alice\n"
                + "Total: 150 USDC on chain ethereum (3 requests)\nDigests \(routine.map { String($0.prefix(8)) }.joined(separator: ", ")) …\n"
                + "OK asks your security key; Cancel signs nothing.", "\(batch)")
        for run in frank { for dialog in run.dialogs { #expect(Self.fitsADialog(dialog), "\(dialog)") } }
        // Review M2: the script decodes the ERC-20 approve from the signed calldata itself; the
        // table's amount row agrees with it (review M4).
        #expect(frank[7].read == ["contract_call approve(spender \(ConsoleRequestFixture.kraken), amount 50000000 (in the token's smallest units)) on token "
            + "\(ConsoleRequestFixture.usdc) with value 0 on chain ethereum from vault hot-trading, source address m, initiated by alice"], "\(String(describing: frank[7].read))")
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

        // The review of a policy change (issue #12 item 4) and the activity view (item 5), also
        // the README's screenshots: erin proposes moving the routine rule from over 10 to over 55
        // units; frank reads what it would have decided differently, then the log.
        let relaxed = cluster.root.appendingPathComponent("policy-relaxed.yaml")
        try ConsoleRequestFixture.policy().replacingOccurrences(of: "\nversion: 14\n", with: "\nversion: 15\n")
            .replacingOccurrences(of: "match: {amount: {over: 10, up_to: 100000}}", with: "match: {amount: {over: 55, up_to: 100000}}")
            .write(to: relaxed, atomically: true, encoding: .utf8)
        try await cluster.op(["propose", "--as", "erin", "--id", "relax-routine", "change-policy", relaxed.path])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "relax-routine" } }
        let reviewed = try await ConsoleBrowserTests.browse(cluster, port: port, as: "frank", signCount: 150, [
            ConsoleBrowserTests.action("signIn"),
            ConsoleBrowserTests.action("open", "relax-routine", screenshot: "policy-replay.png"),
            ConsoleBrowserTests.action("script", expression: "JSON.stringify(Array.from(document.querySelectorAll('#replay-changes li'), (e) => e.textContent))"),
            ConsoleBrowserTests.action("visit", screenshot: "activity.png", path: "/console/activity"),
        ])
        let changed = try JSONDecoder().decode([String].self, from: Data((reviewed[2].text ?? "").utf8))
        // The four routine 50s (the one paid before and the three approved together) would have
        // been allowed without an admin; the large one and the 60 are decided as they were.
        for id in [paid[0]] + routine {
            #expect(changed.contains { $0.hasPrefix("\(id.prefix(12)), 50 USDC to kraken-eth: needs 1 approval (admins), approved → allow") }, "\(changed)")
        }
        #expect(!changed.contains { $0.hasPrefix(large.prefix(12)) || $0.hasPrefix(other.prefix(12)) }, "\(changed)")
        #expect(reviewed[3].text?.contains("Approval of 3 requests") == true, "\(String(describing: reviewed[3].text))")

        // Three more routine requests, for a batch the lies below try to extend.
        let fresh = try await Self.submit(cluster, port: port, Array(repeating: pay("50", ConsoleRequestFixture.kraken, ""), count: 3), signCount: 200)

        // As the attacker: the gateway, restarted lying, shows frank the token approval (or the
        // batch) with its decoded table or its drawing altered; frank clicks approve wherever
        // there is a button, and answers the browser's confirmation as a person does — he accepts
        // it only if it says what the page showed him. Nothing is signed and nothing reaches the
        // log; the honest pages at the end, approved the same way, do reach it.
        let amount = "50000000 (in the token's smallest units)"
        let spoofed = GatewayFaultInjection.ConsoleTableLie.otherAddressText
        // Lies the script catches against the signed calldata (reviews M2, M4, M-b): the page names
        // the mismatch, takes the approve button away and signs nothing.
        let caught: [(lie: String, said: [String])] = [
            ("other-address", ["the table names spender \(spoofed) but the signed calldata says \(ConsoleRequestFixture.kraken)"]),
            ("hidden-amount", ["the table names amount 2 times ((a hidden row), 9\(amount)); the signed calldata sets it once, to \(amount)"]),
            ("duplicated-amount", ["the table names amount 2 times (\(amount), 9\(amount)); the signed calldata sets it once, to \(amount)"]),
            ("other-amount", ["the table names amount 9\(amount) but the signed calldata says \(amount)"]),
            ("look-alike-label", ["the table has a row \"\u{0430}mount\" that a request of this kind does not have"]),
            // Rows hidden by the stylesheet (visibility, off-screen, a 1-pixel font): each is a row
            // the person does not read, so the table does not agree (readable()).
            ("css-hidden-rows", ["the table names amount (a hidden row) but the signed calldata says \(amount)",
                                 "the table names spender (a hidden row) but the signed calldata says \(ConsoleRequestFixture.kraken)",
                                 "the table names function (a hidden row) but the signed calldata says approve 0x095ea7b3"]),
        ]
        var signCount: UInt32 = 300
        for (lie, said) in caught {
            cluster.killGateway(signal: SIGKILL)
            try await cluster.startGateway(port: port, extraArguments: ["--unsafe-test-console-alters-call-table", lie])
            signCount += 100
            let page = try await ConsoleBrowserTests.browse(cluster, port: port, as: "frank", signCount: signCount, [
                ConsoleBrowserTests.action("signIn"),
                ConsoleBrowserTests.action("openRequest", screenshot: "request-call-\(lie).png", path: "/console/requests/\(call)"),
                // A person who would accept any confirmation clicks where the approve button was.
                ConsoleBrowserTests.action("approveRequest", path: "/console/requests/\(call)", dialog: "accept"),
            ])
            for text in said {
                #expect(page[1].read?.first?.contains("MISMATCH: ") == true && page[1].read?.first?.contains(text) == true,
                        "\(lie): \(String(describing: page[1].read))")
            }
            #expect(page[1].digest?.contains("is not what is signed") == true, "\(lie): \(String(describing: page[1].digest))")
            // The button is gone; clicked all the same (through the script's handler, as a person
            // racing the script would), the page refuses, naming the mismatch, and neither shows a
            // confirmation nor asks the authenticator.
            #expect(page[2].clicked == false && page[2].clickedRemoved == true && page[2].dialogs.isEmpty && page[2].credentialRequests == 0
                    && page[2].signCount == page[0].signCount, "\(lie): no approve button, no confirmation, no assertion: \(page[2])")
            let refusal = "Not signed: the gateway's decoded table is not what is signed, so this page approves nothing: request \(call.prefix(16))…: "
            #expect(page[2].status?.hasPrefix(refusal) == true && said.allSatisfy { page[2].status?.contains($0) == true },
                    "\(lie): \(String(describing: page[2].status))")
        }
        // Lies drawn by the stylesheet that the script cannot see through (review helper-57 H2,
        // M2): the page's text is what is signed, so the script finds no mismatch; the browser's
        // confirmation shows the script's reading — the true amount, spender or count — and frank,
        // who saw the lie, cancels.
        let drawn: [(lie: String, path: String, drawn: String, seen: String, truth: [String])] = [
            ("css-text-fill", "/console/requests/\(call)", "getComputedStyle(document.querySelector('tr.lie-fill'), '::after').content.includes(\"9\(amount)\")",
             "amount 9\(amount)", ["approve(spender \(ConsoleRequestFixture.kraken), amount \(amount))"]),
            ("overlay", "/console/requests/\(call)", "getComputedStyle(document.querySelector('tr.lie-overlay'), '::after').content.includes(\"\(spoofed)\")",
             "spender \(spoofed)", ["approve(spender \(ConsoleRequestFixture.kraken), amount \(amount))"]),
            // The third request of the batch sits 100,000 pixels down; the person sees two.
            ("offpage-article", "/console/batches/\(fresh[0])", "document.querySelectorAll('article[data-request]')[2].getBoundingClientRect().top > 50000",
             "these 2 requests", ["APPROVE these 3 requests with one touch?", ", \(fresh[2].prefix(8)) …\n",
                                  "\nTotal: 150 USDC on chain ethereum (3 requests)\n"]),
        ]
        for (lie, path, isDrawn, seen, truth) in drawn {
            cluster.killGateway(signal: SIGKILL)
            try await cluster.startGateway(port: port, extraArguments: ["--unsafe-test-console-alters-call-table", lie])
            signCount += 100
            let page = try await ConsoleBrowserTests.browse(cluster, port: port, as: "frank", signCount: signCount, [
                ConsoleBrowserTests.action("signIn"),
                ConsoleBrowserTests.action("openRequest", screenshot: lie == "offpage-article" ? nil : "request-call-\(lie).png", path: path),
                ConsoleBrowserTests.action("script", expression: isDrawn),
                ConsoleBrowserTests.action("approveRequest", path: path, expect: [seen]),
            ])
            #expect(page[1].digest?.contains("is not what is signed") == false && page[1].read?.allSatisfy { !$0.contains("MISMATCH") } == true,
                    "\(lie): the script sees no mismatch in the page's text: \(page[1])")
            #expect(page[2].value == true, "\(lie): the lie is drawn")
            let dialog = page[3].dialogs.first ?? ""
            #expect(page[3].clicked == true && page[3].dialogs.count == 1 && page[3].accepted == [false], "\(lie): \(page[3].dialogs)")
            for text in truth { #expect(dialog.contains(text), "\(lie): the confirmation says \(text): \(dialog)") }
            #expect(Self.fitsADialog(dialog), "\(lie): \(dialog)")
            #expect(!dialog.contains(seen) && !dialog.contains(spoofed) && !dialog.contains("9\(amount)"), "\(lie): \(dialog)")
            #expect(page[3].status == "Not signed: you cancelled in the confirmation: nothing was signed." && page[3].signCount == page[2].signCount,
                    "\(lie): \(page[3])")
        }

        // The positive control: the same pages, honest, approved the same way (frank accepts a
        // confirmation that says what he read), put his approvals in every node's log.
        cluster.killGateway(signal: SIGKILL)
        try await cluster.startGateway(port: port)
        let honest = try await ConsoleBrowserTests.browse(cluster, port: port, as: "frank", signCount: signCount + 100, [
            ConsoleBrowserTests.action("signIn"),
            ConsoleBrowserTests.action("approveRequest", path: "/console/requests/\(call)", expect: ["spender \(ConsoleRequestFixture.kraken), amount \(amount)"]),
            ConsoleBrowserTests.action("approveRequest", path: "/console/batches/\(fresh[0])", expect: ["these 3 requests"]),
        ])
        for run in honest { for dialog in run.dialogs { #expect(Self.fitsADialog(dialog), "\(dialog)") } }
        #expect(honest[1].accepted == [true] && honest[1].notice?.contains("Your approval is queued") == true, "\(honest[1])")
        #expect(honest[2].accepted == [true] && honest[2].notice?.contains("Your approval of 3 requests is queued") == true, "\(honest[2])")
        let decided = try await cluster.waitForGovernance { g in
            ([call] + fresh).allSatisfy { id in g.requests.first { $0.id == id }?.approvals?.status == "approved" }
        }
        for (node, status) in decided {
            let g = try #require(status.governance)
            for id in [call] + fresh {
                // Exactly the one approval of the honest page; the lying pages submitted nothing.
                #expect(g.requests.first { $0.id == id }?.approvals?.approvals.map(\.user) == ["frank"], "\(node): \(id)")
                #expect(!g.refusals.contains { $0.operationId == id }, "\(node): nothing else was even submitted for \(id)")
            }
        }

        // An EIP-712 permit, approved in the browser: the confirmation lists the signed message's
        // fields under NOT VERIFIED (the page does not check the gateway's table of a message),
        // and every node counts the approval. Then the largest batch a node takes (20 identical
        // routine requests): its confirmation still fits the dialog untrimmed, and approves all 20.
        let permit = try #require(try await Self.submit(cluster, port: port, [ConsoleRequestFixture.permit(by: "alice")], signCount: 300).first)
        let twenty = try await Self.submit(cluster, port: port, Array(repeating: pay("50", ConsoleRequestFixture.kraken, ""),
                                                                     count: RequestBatchApproval.maximumRequests), signCount: 400)
        let last = try await ConsoleBrowserTests.browse(cluster, port: port, as: "frank", signCount: signCount + 200, [
            ConsoleBrowserTests.action("signIn"),
            ConsoleBrowserTests.action("approveRequest", path: "/console/requests/\(permit)", expect: [
                "WARNING: NOT VERIFIED", "sign EIP-712 typed data, primaryType PermitSingle, domain {name Permit2, chainId 1, verifyingContract ",
                // The signed text is canonical JSON (RFC 8785): its members in sorted order, a
                // struct's by their paths, an address whole.
                "message {details.amount 250000000000, details.expiration 1900000000, details.nonce 7, "
                    + "details.token 0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48, ",
                "sigDeadline 1900000000, spender \(ConsoleRequestFixture.permitSpender)} with vault hot-trading, initiated by alice",
            ]),
            ConsoleBrowserTests.action("approveRequest", path: "/console/batches/\(twenty[0])", expect: [
                "APPROVE these 20 requests with one touch?", "\nTotal: 1000 USDC on chain ethereum (20 requests)\n",
                "\nDigests \(twenty.map { String($0.prefix(8)) }.joined(separator: ", ")) …\n",
            ]),
        ])
        #expect(last[1].accepted == [true] && last[1].credentialRequests == 1 && last[1].notice?.contains("Your approval is queued") == true, "\(last[1])")
        #expect(last[2].accepted == [true] && last[2].credentialRequests == 1
                && last[2].notice?.contains("Your approval of 20 requests is queued") == true, "\(last[2])")
        for run in last { for dialog in run.dialogs { #expect(Self.fitsADialog(dialog), "\(dialog)") } }
        let approved = try await cluster.waitForGovernance { g in
            ([permit] + twenty).allSatisfy { id in g.requests.first { $0.id == id }?.approvals?.status == "approved" }
        }
        for (node, status) in approved {
            let g = try #require(status.governance)
            for id in [permit] + twenty {
                let approvers: [String]? = g.requests.first { $0.id == id }?.approvals?.approvals.map(\.user)
                #expect(approvers == ["frank"], "\(node): \(id)")
            }
            #expect(!g.refusals.contains { $0.operationId == permit }, "\(node)")
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
        // The browser's confirmation says what the page signs: the altered amount.
        #expect(frank[2].accepted == [true] && frank[2].dialogs.first?.contains("\ntransfer of 9250000 USDC to ") == true, "\(frank[2].dialogs)")
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
