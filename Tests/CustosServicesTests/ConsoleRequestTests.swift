import BigInt
import Crypto
import CustosChains
import CustosClusterAPI
import CustosCore
import CustosCrypto
@testable import CustosGateway
import CustosIdentity
import CustosLedger
import CustosPolicy
@testable import CustosState
import Foundation
import Logging
import Testing

/// The console's request pages rendered in process from a committed state (no browser, no
/// nodes): the inbox line of a request waiting for the person in plain language with why it
/// needs them and what is unusual, identical requests on one line, the page showing the exact
/// signing input whose SHA-256 is the request id, and every value from a request shown as text.
@Suite(.timeLimit(.minutes(5)))
struct ConsoleRequestTests {
    /// A state under `ConsoleRequestFixture.policy()` with USDC priced at 1 USD, where heidi paid
    /// kraken-eth 50 USDC (approved by erin: transfers of 50 to it are routine), then asked for a
    /// large transfer to a look-alike of kraken-eth (memo `memo`) twice, three identical routine
    /// ones and one other (60, the largest so far).
    static func state(memo: String) throws -> (ReplicatedState, TestGenesis, large: [String], routine: [String], other: String) {
        var genesis = try TestGenesis(policyYAML: ConsoleRequestFixture.policy())
        var state = try ReplicatedState(genesis: genesis.document)
        var time: UInt64 = 1_800_000_000_000
        try ConsoleRequestFixture.price(&state, &genesis, time: &time)
        func submit(_ body: JSONValue) throws -> String { try Self.submit(body, &state, &genesis, time: &time) }
        try Self.approve(try submit(ConsoleRequestFixture.transfer(by: "heidi", amount: "50")), by: "erin", &state, &genesis, time: &time)
        let large = try (0..<2).map { _ in
            try submit(ConsoleRequestFixture.transfer(by: "heidi", amount: "250000", to: ConsoleRequestFixture.lookalike, memo: memo))
        }
        let routine = try (0..<3).map { _ in try submit(ConsoleRequestFixture.transfer(by: "heidi", amount: "50")) }
        let other = try submit(ConsoleRequestFixture.transfer(by: "heidi", amount: "60"))
        return (state, genesis, large, routine, other)
    }

    /// Heidi's request `body` applied to `state` a second after `time`; its id.
    static func submit(_ body: JSONValue, _ state: inout ReplicatedState, _ genesis: inout TestGenesis, time: inout UInt64) throws -> String {
        time += 1000
        let (entry, id) = try ConsoleRequestFixture.submission(
            body, by: "heidi", genesis: state.genesisDigest, timestamp: time, authenticator: &genesis.authenticators["heidi"]!,
            rpId: TestGenesis.rpId, origin: TestGenesis.origin)
        let outcome = state.apply(entry, blockTime: time)
        #expect(outcome == .requestDecided(requestId: id, outcome: .needsApprovals), "\(outcome)")
        return id
    }

    /// `user`'s approval of request `id` (one it completes) applied a second after `time`.
    static func approve(_ id: String, by user: String, _ state: inout ReplicatedState, _ genesis: inout TestGenesis, time: inout UInt64) throws {
        time += 1000
        let challenge = try #require(RequestDecisionEntry.challenge(.approve, requestId: id, genesisDigest: state.genesisDigest))
        let approval = try RequestDecisionEntry(.approve, requestId: id, user: user, assertion: genesis.authenticators[user]!.getAssertion(
            relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: challenge)).entry()
        #expect(state.apply(approval, blockTime: time) == .requestApprovals(requestId: id, status: .approved))
    }

    /// Review helper-55 L-a: identical routine requests whose USD notionals together reach the
    /// batch bound are refused as one batch by every node, never offered as one by the console,
    /// and named as refused by the gateway's answer the CLI asks before signing — one function
    /// (`ReplicatedState.batchRefusal(of:)`), one reason.
    @Test func aBatchReachingTheBoundIsRefusedAlikeByTheNodesTheConsoleAndTheGatewayTheCLIAsks() async throws {
        var (state, genesis, _, _, _) = try Self.state(memo: "")
        var time = state.time
        // kraken-eth was paid 40,000 USDC (approved by erin): three more of 40,000 are routine
        // each (under the default bound of 100,000 USD), 120,000 USD together.
        try Self.approve(try Self.submit(ConsoleRequestFixture.transfer(by: "heidi", amount: "40000"), &state, &genesis, time: &time),
                         by: "erin", &state, &genesis, time: &time)
        let pieces = try (0..<3).map { _ in try Self.submit(ConsoleRequestFixture.transfer(by: "heidi", amount: "40000"), &state, &genesis, time: &time) }
        let listed = try pieces.map { try #require(state.requestBook.requests[$0]) }
        #expect(listed.allSatisfy { state.flags(of: $0).isBatchable }, "\(listed.map { state.flags(of: $0).alone })")
        let reason = "the 3 requests move 120,000 USD together, at least the batch bound (100,000 USD, the default, which approvals.hasty.over_usd "
            + "may only lower): a large amount is approved request by request, never in one batch"
        #expect(state.batchRefusal(of: listed) == reason)
        #expect(state.batchRefusal(of: Array(listed.prefix(2))) == nil)

        // The gateway's answer to the CLI (GET /v1/request-batches/refusal): the same.
        #expect(try GovernanceRoutes.batchRefusal(pieces, in: state) == BatchRefusalView(ids: pieces, refusal: reason))
        #expect(try GovernanceRoutes.batchRefusal(Array(pieces.prefix(2)), in: state) == BatchRefusalView(ids: Array(pieces.prefix(2)), refusal: nil))
        #expect(throws: GatewayProblem.self) { try GovernanceRoutes.batchRefusal([pieces[0], pieces[0]], in: state) }
        #expect(throws: GatewayProblem.self) { try GovernanceRoutes.batchRefusal([String(repeating: "0", count: 64)], in: state) }

        // The console offers the first two together and the third on its own line, never a
        // group the nodes refuse.
        let groups = ConsoleRoutes.waitingRequests(for: "frank", in: state)
        #expect(groups.map { $0.map(\.id) }.filter { pieces.contains($0[0]) } == [Array(pieces.prefix(2)), [pieces[2]]], "\(groups.map { $0.map(\.id) })")
        for group in groups where group.count > 1 { #expect(state.batchRefusal(of: group.map(\.recorded)) == nil) }

        // Every node refuses the three in one batch with that reason, and approves the two,
        // after the minute's review the approval claims (no node believes a longer one).
        time += 60_000
        func batch(_ ids: [String]) throws -> Entry {
            let timing = DecisionTiming(signedAt: time, reviewMillis: 60_000)
            let challenge = try #require(RequestBatchApproval.challenge(requestIds: ids, genesisDigest: state.genesisDigest, timing: timing))
            let assertion = genesis.authenticators["frank"]!.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: challenge)
            return try RequestBatchApproval(requestIds: ids, user: "frank", assertion: assertion, timing: timing).entry()
        }
        let refused = state.apply(try batch(pieces), blockTime: time)
        guard case .refused(let error) = refused else { Issue.record("the nodes applied \(refused)"); return }
        #expect(error.code == .invalidRequest && error.reason == reason, "\(error)")
        #expect(state.apply(try batch(Array(pieces.prefix(2))), blockTime: time)
            == .requestBatchApprovals(requestIds: Array(pieces.prefix(2)), statuses: [.approved, .approved]))
    }

    static func console(_ genesis: TestGenesis) async throws -> Console {
        Console(gateway: try await Gateway(
            configuration: try genesis.configuration((1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) },
                                                     genesisTimestamp: 1_000),
            store: try SQLiteGatewayStore.inMemory(), logger: Logger(label: "test")))
    }

    @Test func theInboxShowsEachWaitingRequestInWordsWithWhyAndWhatIsUnusualAndIdenticalOnesOnce() async throws {
        let (state, genesis, large, routine, other) = try Self.state(memo: "")
        let groups = ConsoleRoutes.waitingRequests(for: "frank", in: state)
        // Review H2: the two identical large transfers to a look-alike are each read on their own.
        #expect(groups.map { $0.map(\.id) } == [[large[0]], [large[1]], routine, [other]])
        #expect(ConsoleRoutes.waitingRequests(for: "heidi", in: state).isEmpty, "the initiator is asked nothing")
        #expect(ConsoleRoutes.waitingRequests(for: "laura", in: state).isEmpty, "laura is in no group the requests need")

        let items = groups.map { ConsoleRequestItem($0, in: state, now: state.time + 90_000) }
        #expect(items[0].summary == "Transfer 250,000 USDC from hot-trading to \(ConsoleRequestFixture.lookalike) (not in the address book) on ethereum")
        #expect(items[0].unusual.map(\.text).contains { $0.hasPrefix("LOOK-ALIKE: ") && $0.contains("resembles kraken-eth") }, "\(items[0].unusual)")
        #expect(items[0].unusual.map(\.text).contains { $0.hasPrefix("NEW DESTINATION") })
        #expect(items[0].needed == "2 more from admins (rule require-two-admins-large)")
        #expect(items[0].explanation.map(\.text).contains { $0.contains("require-two-admins-large") })
        #expect(items[0].initiator == "heidi" && items[0].age == "1 min")
        #expect(items[2].summary == "3 × Transfer 50 USDC from hot-trading to kraken-eth \(ConsoleRequestFixture.kraken) on ethereum" && items[2].isBatch)
        #expect(items[2].link == "/console/batches/\(routine[0])")
        #expect(items[3].summary.hasPrefix("Transfer 60 USDC") && items[3].link == "/console/requests/\(other)")
        // Priced, to a destination paid as much before: nothing unusual (review M1: an unpriced
        // one would be on its own line).
        #expect(items[2].unusual.isEmpty, "\(items[2].unusual.map(\.text))")
        #expect(items[3].unusual.map(\.text).contains { $0.hasPrefix("LARGEST SO FAR") }, "\(items[3].unusual.map(\.text))")
        // Review L2: a line of several shows the soonest expiry, and what all of them wait for.
        let soonest = try #require(state.requestBook.requests[routine[0]]?.approvals?.expiresAt)
        #expect(items[2].expires == UTCTime.text(Int64(soonest / 1000)) + " (the soonest of the 3)", "\(items[2].expires)")
        #expect(items[2].approvals == "0 of 1" && items[2].needed == "1 more from admins (rule require-an-admin-routine)")
        #expect(ConsoleRequestItem.agreed(["0 of 2", "1 of 2", "0 of 2"]) == "varies: 0 of 2 / 1 of 2")
        #expect(ConsoleRequestItem.agreed(["", "frank (review 2.5 s)"]) == "varies: (none) / frank (review 2.5 s)")
        #expect(ConsoleRequestItem.agreed(["1 of 1", "1 of 1"]) == "1 of 1")

        let console = try await Self.console(genesis)
        let frame = ConsoleRoutes.frame(state, title: "Inbox", session: nil)
        let inbox = try #require(console.render(
            ConsoleInboxPage(frame: frame, requests: items, operations: [], recent: [], enrolments: [], notice: nil), template: "inbox"))
        #expect(inbox.contains(#"<tr class="request" data-request="\#(routine[0])" data-count="3">"#), "\(inbox)")
        #expect(inbox.contains("3 × Transfer 50 USDC"))
        #expect(inbox.contains(#"<td class="expires">\#(items[2].expires)</td>"#))
    }

    /// Review L4: text from a request (a memo, a message) can neither reverse nor hide part of
    /// a line: control, bidirectional and invisible characters are shown as code points.
    @Test func controlAndBidiCharactersInARequestAreShownAsCodePoints() async throws {
        #expect(ConsoleText.visible("pay\u{202E}lanretni\u{202C} ok\n\u{200B}é") == "pay<U+202E>lanretni<U+202C> ok<U+000A><U+200B>é")
        #expect(ConsoleText("a\u{2066}b\u{0007}").text == "a<U+2066>b<U+0007>")
        let memo = "to treasury\u{202E}ffo-ecnalab\u{202C}\u{200D}"
        let (state, genesis, large, _, _) = try Self.state(memo: memo)
        let recorded = try #require(state.requestBook.requests[large[0]])
        let content = try #require(ConsoleRequestContent(ConsoleReviewedRequest(recorded, in: state), in: state, displaying: { $0 }))
        #expect(content.lines.contains { $0.text.contains("to treasury<U+202E>ffo-ecnalab<U+202C><U+200D>") }, "\(content.lines)")
        #expect(!content.lines.contains { $0.text.unicodeScalars.contains { $0.value == 0x202E } })
        // The signed text itself is shown as signed (its SHA-256 is the id); the script flags it.
        #expect(content.signingInput.unicodeScalars.contains { $0.value == 0x202E })
        // Review H2: the page says why this request is approved only on its own.
        #expect(content.alone.map(\.text).contains { $0.hasPrefix("LOOK-ALIKE: ") })
        let console = try await Self.console(genesis)
        let page = try #require(console.render(ConsoleRequestPage(
            frame: ConsoleRoutes.frame(state, title: "Request", session: nil), item: ConsoleRequestItem([ConsoleReviewedRequest(recorded, in: state)], in: state, now: state.time),
            requests: [content], canDecide: true, credentialId: "", notice: nil), template: "request"))
        #expect(page.contains("to treasury&lt;U+202E&gt;ffo-ecnalab"), "the memo line shows the code points")
        #expect(page.contains(#"<p class="warning" data-alone="">Approved only on its own, never in a batch: LOOK-ALIKE: "#))
    }

    @Test func aRequestPageShowsTheExactSigningInputAndEveryValueAsText() async throws {
        let hostile = #"<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> & 'q'"#
        let (state, genesis, large, routine, _) = try Self.state(memo: hostile)
        let recorded = ConsoleReviewedRequest(try #require(state.requestBook.requests[large[0]]), in: state)
        let content = try #require(ConsoleRequestContent(recorded, in: state, displaying: { $0 }))
        // The text shown is what the initiator signed: its SHA-256 is the request id. (A page the
        // gateway alters is tried in a browser against every node: ConsoleRequestBrowserTests.)
        #expect(Hashes.sha256(Array(content.signingInput.utf8)).hexString == large[0])
        #expect(content.lines.contains { $0.label == "body" && $0.text.contains("<script>window.__pwned=1</script>") }, "\(content.lines)")
        let console = try await Self.console(genesis)
        let item = ConsoleRequestItem([recorded], in: state, now: state.time)
        let page = try #require(console.render(ConsoleRequestPage(
            frame: ConsoleRoutes.frame(state, title: "Request", session: nil), item: item, requests: [content], canDecide: true,
            credentialId: "", notice: nil), template: "request"))
        #expect(!page.contains("<script>window") && !page.contains("<img"), "every value is escaped")
        #expect(page.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"))
        #expect(page.contains(#"<form id="decide-request" method="post" action="/console/requests/\#(large[0])/decision""#))
        #expect(page.contains(#"<button type="button" class="act" id="reject" data-act="reject">"#))

        // The identical requests' page lists each in full and approves, never rejects, them together.
        let group = routine.compactMap { state.requestBook.requests[$0] }.map { ConsoleReviewedRequest($0, in: state) }
        let batch = try #require(console.render(ConsoleRequestPage(
            frame: ConsoleRoutes.frame(state, title: "Batch", session: nil), item: ConsoleRequestItem(group, in: state, now: state.time),
            requests: group.compactMap { ConsoleRequestContent($0, in: state, displaying: { $0 }) }, canDecide: true, credentialId: "", notice: nil),
            template: "request"))
        #expect(routine.allSatisfy { batch.contains(#"<article class="request-content" data-request="\#($0)">"#) })
        #expect(batch.contains(#"<input type="hidden" name="ids" value="\#(routine.joined(separator: ","))">"#))
        #expect(batch.contains("Approve all 3 with your security key") && !batch.contains(#"id="reject""#))
    }

    /// Review L2: the console groups identical prompts by each request's own review, as the
    /// nodes check each listed request: one that its review keeps out of batches is on its own
    /// line even when an identical one before it opened a group. (Its review is made so here:
    /// identical prompts whose reviews differ — one priced, one not — are what the nodes refuse.)
    @Test func eachRequestOfAnInboxLineIsJudgedByItsOwnReview() throws {
        let (state, _, _, routine, _) = try Self.state(memo: "")
        var reviewed = try routine.map { ConsoleReviewedRequest(try #require(state.requestBook.requests[$0]), in: state) }
        #expect(ConsoleRoutes.grouped(reviewed, in: state).map { $0.map(\.id) } == [routine])
        let review = reviewed[1].review
        reviewed[1] = ConsoleReviewedRequest(reviewed[1].recorded, review: RequestReview(
            explanation: review.explanation, facts: RequestFlags(flags: [], alone: ["NOT PRICED: no USD notional is known"], notionalUSD: nil)))
        #expect(ConsoleRoutes.grouped(reviewed, in: state).map { $0.map(\.id) } == [[routine[0], routine[2]], [routine[1]]])
        // One review per request for a page: the inbox line takes the group's, never makes its own.
        let item = ConsoleRequestItem([reviewed[1]], in: state, now: state.time)
        #expect(!item.isBatch && item.explanation.map(\.text) == review.explanation.lines)
    }

    /// Review L3: characters that show as nothing or as a blank, or stack on others, are named
    /// by their code points wherever the console shows text from a request or a policy — every
    /// name in a request's line among them — so that "kraken-eth" and "kraken\u{3164}-eth" read
    /// differently. A plain space and a precomposed letter stay as they are.
    @Test(arguments: [
        ("kraken\u{3164}-eth", "kraken<U+3164>-eth"), ("\u{115F}alice", "<U+115F>alice"), ("bob\u{1160}", "bob<U+1160>"),
        ("hot\u{FFA0}trading", "hot<U+FFA0>trading"), ("cold\u{2800}", "cold<U+2800>"), ("kraken\u{0301}", "kraken<U+0301>"),
        ("grace\u{20DD}", "grace<U+20DD>"), ("\u{0336}frank", "<U+0336>frank"), ("ops\u{00A0}gas", "ops<U+00A0>gas"),
        ("ops\u{3000}gas", "ops<U+3000>gas"), ("a b é", "a b é"), ("Müller", "Müller"),
        // Review L-d: default-ignorable, unassigned and private-use code points draw as nothing
        // (or as nothing a person tells apart) in a browser.
        ("kraken\u{2065}-eth", "kraken<U+2065>-eth"), ("hot\u{FFF0}", "hot<U+FFF0>"), ("\u{E0080}ops", "<U+E0080>ops"),
        ("bob\u{E000}", "bob<U+E000>"), ("alice\u{F0000}", "alice<U+F0000>"),
        // Review L4 of the dialog: a run of spaces, drawn as one, keeps its first space and names the others.
        ("kraken  eth", "kraken <U+0020>eth"), ("   x  ", " <U+0020><U+0020>x <U+0020>"), ("a \u{00A0} b", "a <U+00A0> b"),
    ])
    func blankAndCombiningCharactersAreShownAsCodePoints(text: String, shown: String) {
        #expect(ConsoleText.visible(text) == shown)
        #expect(ConsoleText(text).text == shown)
    }

    /// Review M4: the row of an ERC-20 call's amount shows it as signed, in the token's smallest
    /// units — the form the signed calldata holds and the page's script compares (no registered
    /// decimals, which are state, not signed content); any other call's, none.
    @Test func anERC20CallsAmountRowIsTheSignedAmountInTheTokensSmallestUnits() throws {
        let call = { (data: String) in JSONValue.object([
            ("kind", .string("contract_call")), ("initiator", .string("alice")), ("vault", .string("hot-trading")), ("from", .string("m")),
            ("chain", .string("ethereum")), ("to", .string(ConsoleRequestFixture.usdc)), ("data", .string(data)),
        ]) }
        let approve = ConsoleRequestFixture.approval(by: "alice", spender: ConsoleRequestFixture.kraken, units: 50_000_000)
        #expect(ConsoleRequestContent.signedAmount(of: approve) == "50000000 (in the token's smallest units)")
        let word = { (hex: String) in String(repeating: "0", count: 64 - hex.count) + hex }
        let address = word(String(ConsoleRequestFixture.kraken.dropFirst(2)))
        #expect(ConsoleRequestContent.signedAmount(of: call("0x095ea7b3" + address + String(repeating: "f", count: 64))) == "UNLIMITED (2^256 - 1)")
        #expect(ConsoleRequestContent.signedAmount(of: call("0xa9059cbb" + address + word("0"))) == "0 (in the token's smallest units)")
        #expect(ConsoleRequestContent.signedAmount(of: call("0x23b872dd" + address + address + word("de0b6b3a7640000")))
            == "1000000000000000000 (in the token's smallest units)")
        // 2^256 - 2, digit for digit.
        #expect(ConsoleRequestContent.decimal(Array(repeating: 0xFF, count: 31) + [0xFE])
            == "115792089237316195423570985008687907853269984665640564039457584007913129639934")
        #expect(ConsoleRequestContent.decimal([0, 0, 1, 0]) == "256" && ConsoleRequestContent.decimal([]) == "0")
        // Another function, a short or long call, a transfer: no signed amount row.
        #expect(ConsoleRequestContent.signedAmount(of: call("0x12345678" + address + word("1"))) == nil)
        #expect(ConsoleRequestContent.signedAmount(of: call("0x095ea7b3" + address)) == nil)
        #expect(ConsoleRequestContent.signedAmount(of: call("0x095ea7b3" + address + word("1") + word("1"))) == nil)
        #expect(ConsoleRequestContent.signedAmount(of: ConsoleRequestFixture.transfer(by: "alice", amount: "5", from: "m")) == nil)

        // A lying gateway's table (a test's fault): the rows the script then finds.
        let rows = [ConsoleTableRow(label: "  amount", text: "5"), ConsoleTableRow(label: "  spender", text: "0xabc")]
        typealias Lie = GatewayFaultInjection.ConsoleTableLie
        #expect(Lie.otherAmount.apply(rows) == [ConsoleTableRow(label: "  amount", text: "95"), rows[1]])
        #expect(Lie.hiddenAmount.apply(rows) == [ConsoleTableRow(label: "  amount", text: "5", hidden: true), ConsoleTableRow(label: "  amount", text: "95"), rows[1]])
        #expect(Lie.duplicatedAmount.apply(rows) == [rows[0], ConsoleTableRow(label: "  amount", text: "95"), rows[1]])
        #expect(Lie.otherAddress.apply(rows)[1].text == "0x" + String(repeating: "1", count: 40))
        #expect(Lie.lookalikeLabel.apply(rows) == [rows[0], ConsoleTableRow(label: "  \u{0430}mount", text: "95"), rows[1]])
        // Lies drawn by a stylesheet: the text stays true, the row is styled (review helper-57 H2).
        #expect(Lie.cssTextFill.apply(rows) == [ConsoleTableRow(label: "  amount", text: "5", lieClass: "lie-fill", lie: "95"), rows[1]])
        #expect(Lie.overlay.apply(rows) == [rows[0], ConsoleTableRow(label: "  spender", text: "0xabc", lieClass: "lie-overlay", lie: Lie.otherAddressText)])
        #expect(Lie.cssHiddenRows.apply(rows).map(\.lieClass) == ["lie-invisible", "lie-offscreen"] && Lie.cssHiddenRows.apply(rows).map(\.text) == ["5", "0xabc"])
        #expect(Lie.offpageArticle.apply(rows) == rows && Lie.otherAmount.apply(rows) != rows)
        // The lying stylesheet is served only by a gateway with a lie armed, only as console.css.
        let css = Array("body {}".utf8)
        #expect(GatewayFaultInjection.none.serving(asset: "console.css", css) == css)
        #expect(GatewayFaultInjection(consoleTableLie: .overlay).serving(asset: "console.css", css) == css + Array(Lie.stylesheet.utf8))
        #expect(GatewayFaultInjection(consoleTableLie: .overlay).serving(asset: "console.js", css) == css)
    }

    /// Issue #12 item 3: the inbox line and the request page show what became of the request's
    /// transaction from the plan in the state — the simulation (here reverted, with the reason
    /// every node decoded, escaped), the transaction hash, the receipt and the mismatches every
    /// node found — and a request without a plan shows none of it.
    @Test func theSimulationAndTheReceiptComeFromThePlanInTheState() async throws {
        var (state, genesis, _, routine, other) = try Self.state(memo: "m")
        #expect(ConsoleTransactionOutcome(request: other, in: state) == nil, "no plan: nothing is made up")
        let hostile = "<script>window.__pwned=1</script>"
        let revert = try EVM.ABI.encodeCall("Error(string)", [.string(hostile)])
        let raw: [UInt8] = [0x02, 0xf8, 0x01, 0x02]
        let simulation = TransactionSimulation(requestId: other, chainId: 1, blockNumber: 120, blockHash: Array(repeating: 0xab, count: 32),
                                               outcome: .reverted, gasUsed: 43_210, revertData: revert, intentDigest: Array(repeating: 1, count: 32),
                                               simulatedAt: state.time)
        let receipt = TransactionReceipt(requestId: other, transactionHash: Keccak256.hash(raw), blockNumber: 125,
                                         blockHash: Array(repeating: 0xcd, count: 32), succeeded: false, gasUsed: 30_000,
                                         effectiveGasPrice: 2_000_000_000, logs: [])
        state.transactions[other] = PlannedTransaction(
            requestId: other, vault: "hot-trading", chain: "ethereum", chainId: 1, from: try EVM.Address(hex: ConsoleRequestFixture.kraken),
            path: [0], to: try EVM.Address(hex: ConsoleRequestFixture.kraken), value: 60, data: [], status: .minedReverted,
            rawTransaction: raw, simulation: simulation, simulatedAt: state.time, receipt: receipt, receiptAt: state.time,
            mismatches: [ReceiptMismatch(.reverted, "the transaction reverted <b>on chain</b>")],
            receiptChecks: [ReceiptCheck(member: "node-1", digest: receipt.digest, agrees: true, height: 7),
                            ReceiptCheck(member: "node-2", digest: nil, agrees: false, height: 8)])
        // Review: the nodes' checks and the automatic freeze the receipt caused are shown too.
        state.frozen = true
        state.frozenBy = AutomaticFreeze(alert: 3, kind: .minedReverted, requestId: other, height: 9, blockTime: state.time)
        let outcome = try #require(ConsoleTransactionOutcome(request: other, in: state))
        #expect(outcome.simulation == "REVERTED at block 120, gas used 43,210: Error(\"\(hostile)\")", "\(outcome.simulation)")
        #expect(outcome.transactionHash == "0x" + Keccak256.hash(raw).hexString)
        #expect(outcome.receipt == "mined in block 125: REVERTED (its gas was paid), gas used 30,000")
        #expect(outcome.verification == "MISMATCH with the intent; unconfirmed: the executor's word until f+1 nodes read the same receipt from their own chain endpoints")
        #expect(outcome.checks.map(\.text) == ["node-1 at height 7: read the same receipt", "node-2 at height 8: found NO receipt"])
        #expect(outcome.froze == "its mined-reverted alert (#3) froze signing at height 9; only the governed unfreeze lifts it")

        let console = try await Self.console(genesis)
        let reviewed = ConsoleReviewedRequest(try #require(state.requestBook.requests[other]), in: state)
        let item = ConsoleRequestItem([reviewed], in: state, now: state.time)
        let content = try #require(ConsoleRequestContent(reviewed, in: state, displaying: { $0 }))
        let page = try #require(console.render(ConsoleRequestPage(
            frame: ConsoleRoutes.frame(state, title: "Request", session: nil), item: item,
            requests: [content], canDecide: false,
            credentialId: "", notice: nil), template: "request"))
        #expect(page.contains(#"<dd id="transaction-status">mined-reverted</dd>"#))
        #expect(page.contains(#"<dd id="simulation" class="warning">REVERTED at block 120, gas used 43,210: Error(&quot;&lt;script&gt;window.__pwned=1&lt;/script&gt;&quot;)</dd>"#),
                "\(page)")
        #expect(page.contains(#"<code id="transaction-hash">0x\#(Keccak256.hash(raw).hexString)</code>"#))
        #expect(page.contains("mined in block 125: REVERTED (its gas was paid)"))
        #expect(page.contains("<li class=\"warning\">reverted: the transaction reverted &lt;b&gt;on chain&lt;/b&gt;</li>"))
        #expect(!page.contains("<script>window") && !page.contains("<b>on chain"))
        #expect(page.contains(#"<ul id="receipt-checks"><li>node-1 at height 7: read the same receipt</li><li>node-2 at height 8: found NO receipt</li></ul>"#), "\(page)")
        #expect(page.contains(#"<dd id="automatic-freeze" class="warning">its mined-reverted alert (#3) froze signing at height 9"#))

        // The inbox line says it in short; a line of requests without plans says nothing.
        let inbox = try #require(console.render(ConsoleInboxPage(
            frame: ConsoleRoutes.frame(state, title: "Inbox", session: nil), requests: [item,
                ConsoleRequestItem(routine.compactMap { state.requestBook.requests[$0] }.map { ConsoleReviewedRequest($0, in: state) }, in: state, now: state.time)],
            operations: [], recent: [], enrolments: [], notice: nil), template: "inbox"))
        #expect(inbox.contains("<span class=\"chain-outcome\">simulation: REVERTED at block 120") && inbox.contains("; MISMATCH with the intent</span>"))
        #expect(inbox.components(separatedBy: "chain-outcome").count == 2, "only the request with a plan")
        _ = genesis
    }
}
