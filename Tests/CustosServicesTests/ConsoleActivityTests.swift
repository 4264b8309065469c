import AsyncHTTPClient
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import CustosGateway

/// The activity view over a gateway served in process whose blocks carry real certificates
/// (`CommittedGateway`): the log newest first with who, what, the approvals, the voters; filters
/// by person, vault, destination and days applied on the server; every value escaped; the CSV
/// with its header and a formula cell defused; and the verifiable export checked by
/// `custos audit verify`.
@Suite(.timeLimit(.minutes(5)))
struct ConsoleActivityTests {
    static let hostile = "<img src=x onerror=alert(1)>"
    static let formula = "=HYPERLINK(\"http://evil.example\")"

    /// Signs `user` in on `browser` with the credential `committed` holds for them.
    static func signIn(_ browser: inout ConsoleTests.Browser, as user: String, _ committed: inout CommittedGateway) async throws {
        let page = try await browser.send(.GET, "/console/sign-in")
        let challenge = try ConsoleTests.hiddenValue("challenge", in: page.text)
        let digest = Hashes.tagged("custos/console/sign-in", committed.genesis.document.digest, try #require(Base64URL.decode(challenge)))
        let assertion = committed.genesis.authenticators[user]!.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: digest)
        let signedIn = try await browser.send(.POST, "/console/sign-in", form: ConsoleTests.assertionForm(assertion).merging(["challenge": challenge]) { a, _ in a })
        #expect(signedIn.status == .seeOther, "\(signedIn.text)")
    }

    static func rows(_ page: String) -> Int { page.components(separatedBy: "<tr data-height=").count - 1 }

    /// The ways around a first-character check a requester would try (review helper-91 M2): a
    /// formula behind white space, a byte-order mark, a no-break space, a line feed, a full-width
    /// sign. Each cell starts with `'` or shows the hidden character as its code point.
    @Test func aFormulaHiddenBehindSpacesOrLookAlikesIsNeverACellsFirstWord() {
        let cases: [(String, String)] = [
            (" =HYPERLINK(1)", "\"' =HYPERLINK(1)\""),
            ("\u{FEFF}=HYPERLINK(1)", "\"<U+FEFF>=HYPERLINK(1)\""),
            ("\u{00A0}=1", "\"<U+00A0>=1\""),
            ("\n=1", "\"<U+000A>=1\""),
            ("\u{FF1D}SUM(A1)", "\"'\u{FF1D}SUM(A1)\""),
            ("-2+3", "\"'-2+3\""),
            ("kraken \"eth\"", "\"kraken \"\"eth\"\"\""),
        ]
        for (text, cell) in cases {
            #expect(ConsoleActivityRow.csvCell(text) == cell, "\(text.debugDescription) → \(ConsoleActivityRow.csvCell(text))")
        }
    }

    @Test func theLogAsAnAuditTrailFilteredEscapedExportedAsCSVAndVerifiable() async throws {
        var committed = try await CommittedGateway()
        let paid = try await committed.transfer("50")
        try await committed.approve(paid, by: "erin")
        let odd = try await committed.transfer("20", to: Self.hostile)
        let injected = try await committed.transfer("30", to: Self.formula)
        let height = await committed.gateway.governanceState.height
        #expect(height == 4)
        try await ConsoleTests.withClient(committed.gateway) { client, baseURL in
            var anonymous = ConsoleTests.Browser(client: client, base: baseURL)
            for path in ["/console/activity", "/console/activity.csv", "/console/activity.chain"] {
                #expect(try await anonymous.send(.GET, path).status == .seeOther, "\(path) without a session")
            }
            var browser = ConsoleTests.Browser(client: client, base: baseURL)
            try await Self.signIn(&browser, as: "frank", &committed)

            let all = try await browser.send(.GET, "/console/activity")
            #expect(all.status == .ok)
            #expect(all.headers["Content-Security-Policy"].first?.contains("script-src 'self'") == true)
            #expect(Self.rows(all.text) == 4)
            // Newest first: the block heights descend.
            let heights = all.text.components(separatedBy: "<tr data-height=\"").dropFirst().compactMap { UInt64($0.prefix { $0 != "\"" }) }
            #expect(heights == [4, 3, 2, 1])
            #expect(all.text.contains("Request \(injected.prefix(12)): Transfer 30 USDC from hot-trading to"))
            #expect(all.text.contains("Approval of request \(paid.prefix(12))"))
            #expect(all.text.contains("<td>person erin</td>") && all.text.contains("<td>person heidi</td>"))
            #expect(all.text.contains("<td>node-1, node-2, node-3</td>"), "the certificate's voters")
            #expect(all.text.contains("<td>erin</td>"), "the approval the request has")
            // A destination a requester chose is text, never markup.
            #expect(!all.text.contains("<img src=x") && all.text.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(all.text.contains(#"href="/console/activity.chain""#))
            // The digest the page tells to check the export against is the log's, which audit verify takes.
            // The trust anchor is the person's own, never the page's (review helper-91 H2).
            #expect(all.text.contains("custos audit verify FILE --genesis DIGEST") && !all.text.contains(committed.configuration.genesisDigest.hex))
            _ = odd

            // Server-side filters.
            let erin = try await browser.send(.GET, "/console/activity?person=erin")
            #expect(Self.rows(erin.text) == 2, "erin's approval and the request she approved")
            let kraken = try await browser.send(.GET, "/console/activity?destination=KRAKEN-eth")
            #expect(Self.rows(kraken.text) == 2 && kraken.text.contains("Approval of request \(paid.prefix(12))"))
            #expect(Self.rows(try await browser.send(.GET, "/console/activity?vault=hot-trading").text) == 4)
            #expect(Self.rows(try await browser.send(.GET, "/console/activity?vault=cold").text) == 0)
            let long = try await browser.send(.GET, "/console/activity?from=2000-01-01&to=2000-01-02")
            #expect(Self.rows(long.text) == 0 && long.text.contains("No entry matches."))
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            #expect(Self.rows(try await browser.send(.GET, "/console/activity?from=\(today)&to=\(today)").text) == 4)
            let bad = try await browser.send(.GET, "/console/activity?from=yesterday")
            #expect(bad.text.contains("from: give a day as YYYY-MM-DD") && Self.rows(bad.text) == 4)
            #expect(erin.text.contains(#"href="/console/activity.csv?person=erin""#))

            // The CSV of a filtered view: its header, a formula a requester chose defused.
            let csv = try await browser.send(.GET, "/console/activity.csv?person=heidi")
            #expect(csv.status == .ok && csv.headers["Content-Type"] == ["text/csv; charset=utf-8"])
            #expect(csv.headers["Content-Disposition"].first?.hasPrefix("attachment") == true)
            let lines = csv.text.components(separatedBy: "\r\n")
            #expect(lines.first?.hasPrefix("\"Custos activity of cluster unit, blocks 1 to 4 (the whole log); filters: person=heidi; exported ") == true,
                    "\(lines)")
            #expect(lines[1] == #""height","entry","time (UTC)","who","kind","what","vault","destination","approvals","voted","signed by""#)
            #expect(lines.count == 2 + 3 + 1, "what it is, header, heidi's three requests, the final line break: \(lines)")
            // A filter that does not read is refused, not ignored.
            let badCSV = try await browser.send(.GET, "/console/activity.csv?from=yesterday")
            #expect(badCSV.status == .badRequest && badCSV.headers["Content-Type"].first?.hasPrefix("application/problem+json") == true)
            #expect(badCSV.text.contains("from: give a day as YYYY-MM-DD"))

            // One scan and one export at a time: a second is told to come back.
            let gateway = committed.gateway
            let scan = try #require(await gateway.activityScans.enter())
            for path in ["/console/activity", "/console/activity.csv"] {
                let busy = try await browser.send(.GET, path)
                #expect(busy.status == .tooManyRequests && busy.headers["Retry-After"] == ["\(ConsoleWorkGate.retryAfterSeconds)"], "\(path)")
            }
            await gateway.activityScans.leave(scan)
            #expect(try await browser.send(.GET, "/console/activity.csv").status == .ok)
            let exporting = try #require(await gateway.activityExports.enter())
            #expect(try await browser.send(.GET, "/console/activity.chain").status == .tooManyRequests)
            #expect(try await browser.send(.GET, "/console/activity").status == .ok, "a scan is not an export")
            await gateway.activityExports.leave(exporting)
            #expect(csv.text.contains(#""'=HYPERLINK(""http://evil.example"") (not in the address book)""#), "\(csv.text)")
            #expect(!csv.text.contains(#","=HYPERLINK"#))

            // The verifiable export: what custos audit verify checks without trusting the gateway.
            let export = try await browser.send(.GET, "/console/activity.chain")
            #expect(export.status == .ok && export.headers["Content-Type"] == ["application/octet-stream"])
            let bytes = try await Self.download(client, baseURL + "/console/activity.chain", cookies: browser.cookies)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("activity-\(UUID().uuidString).export")
            try Data(bytes).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let verified = try await CustosExecutable.run(["audit", "verify", file.path, "--genesis", committed.configuration.genesisDigest.hex])
            #expect(verified.status == 0, "\(verified.stderr)")
            #expect(verified.stdout.hasPrefix("valid: 4 blocks"), "\(verified.stdout)")
            // The export's bytes are the log's, block by block: the same as the whole export made at once.
            let blocks = try await committed.gateway.committedBlocks(from: 1, limit: 10)
            #expect(bytes == ChainExport(configuration: committed.configuration, blocks: blocks).serialized)
            #expect(await committed.gateway.activityExports.enter() != nil, "the export left the gate once written")
        }
    }

    /// An entry every node refused — an approval in erin's name made with grace's key — is shown
    /// as refused with its reason, never as erin's approval, and erin's filter does not find it.
    @Test func anEntryTheNodesRefusedIsNobodysAct() async throws {
        var committed = try await CommittedGateway(faults: GatewayFaultInjection(queuesUnchecked: true))
        let paid = try await committed.transfer("50")
        let cluster = await committed.gateway.governanceState.genesisDigest
        let challenge = try #require(RequestDecisionEntry.challenge(.approve, requestId: paid, genesisDigest: cluster))
        let forged = committed.genesis.authenticators["grace"]!.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin,
                                                                            challenge: challenge)
        try await committed.commit(try RequestDecisionEntry(.approve, requestId: paid, user: "erin", assertion: forged).entry())
        let state = await committed.gateway.governanceState
        #expect(state.requestBook.requests[paid]?.approvals?.approvals.isEmpty == true, "the forged approval counts nowhere")
        try await ConsoleTests.withClient(committed.gateway) { client, baseURL in
            var browser = ConsoleTests.Browser(client: client, base: baseURL)
            try await Self.signIn(&browser, as: "frank", &committed)
            let all = try await browser.send(.GET, "/console/activity")
            let refused = try #require(all.text.components(separatedBy: "<tr data-height=\"2\"").dropFirst().first)
            #expect(refused.contains("<td>nobody: refused (it names person erin)</td><td>refused: "), "\(refused)")
            #expect(!all.text.contains("<td>person erin</td>") && !all.text.contains("Approval of request \(paid.prefix(12))"))
            let erin = try await browser.send(.GET, "/console/activity?person=erin")
            #expect(Self.rows(erin.text) == 0, "nothing erin did")
            let csv = try await browser.send(.GET, "/console/activity.csv")
            #expect(csv.text.contains("\"nobody: refused (it names person erin)\""))
        }
    }

    /// The bytes of `url` as they came (the page helper reads text).
    static func download(_ client: HTTPClient, _ url: String, cookies: [String: String]) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Cookie", value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        let response = try await client.execute(request, timeout: .seconds(10))
        return Array(buffer: try await response.body.collect(upTo: 32 << 20))
    }
}
