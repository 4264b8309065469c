import CustosClusterAPI
import CustosCore
@testable import CustosGateway
import CustosIdentity
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// The console in a real browser: headless Chromium driven through the DevTools protocol by
/// Tests/python/console_browser.py, with a virtual CTAP2 authenticator (user verification)
/// holding a person's registered credential, against a development cluster of real processes.
/// People approve what the page shows; the page derives the challenge from what it displays;
/// every node checks the approvals in its own state. Screenshots go to
/// `.build/console-screenshots/` under the package root.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct ConsoleBrowserTests {
    static var screenshots: URL { TestEnvironment.packageRoot.appendingPathComponent(".build/console-screenshots") }

    struct BrowserRun: Encodable, Sendable {
        /// Without `credentialId`, an authenticator that holds no credential yet.
        struct Person: Encodable, Sendable {
            var user: String
            var credentialId: String?
            var privateKey: String?
            var privateKeyPKCS8: String?
            var signCount: UInt32
            var rpId: String
        }
        struct Action: Encodable, Sendable {
            var `do`: String
            var operation: String?
            var screenshot: String?
            var expression: String?
            var user: String?
            var code: String?
            var key: String?
            var mayFail: Bool?
            /// A console path, for the request actions.
            var path: String?
            /// How the person answers the page's confirmation dialog: "accept" (the default) or
            /// "dismiss"; with `expect`, they accept only a dialog holding every one of these
            /// texts (what they read on the page) and dismiss any other.
            var dialog: String?
            var expect: [String]?
            /// Scroll the button into view before clicking it.
            var scroll: Bool?
        }
        let baseURL: String
        let screenshots: String
        let person: Person
        let actions: [Action]
    }

    struct BrowserResults: Decodable, Sendable {
        /// A credential as the virtual authenticator holds it (WebAuthn.getCredentials: base64).
        struct Credential: Decodable, Sendable {
            var credentialId: String
            var privateKey: String
            var signCount: UInt32
        }
        struct Result: Decodable, Sendable {
            var `do`: String
            var code: String?
            var key: String?
            var operation: String?
            var credentials: [Credential]?
            var user: String?
            var status: String?
            var notice: String?
            var message: String?
            var digest: String?
            var summary: String?
            var approvals: String?
            var freeze: String?
            var rows: [[String]]?
            var signed: [[String]]?
            var value: Bool?
            /// A script's value that is not a boolean.
            var text: String?
            /// Whether a signing action found its button to click (the page's script takes the
            /// approve button away from a page whose table contradicts what is signed).
            var clicked: Bool?
            var screenshot: String?
            /// On a request page: what the browser read from each signing input, the request
            /// id it computed from each, and the unusual flags shown.
            var read: [String]?
            var ids: [String]?
            var warnings: [String]?
            /// The JavaScript dialogs the action met, their texts, and whether each was accepted.
            var dialogs: [String]
            var accepted: [Bool]
            /// After a signing action: the credential's signature counter in the authenticator
            /// (unchanged when nothing was signed), and how far the page was scrolled.
            var signCount: UInt32?
            var scrollY: Double?
            /// A signing action whose button the page's script took away clicked it all the same,
            /// through the script's handler; and how often the page then called
            /// navigator.credentials.get (the authenticator asked or not).
            var clickedRemoved: Bool?
            var credentialRequests: Int?
        }
        let results: [Result]
    }

    static func action(_ kind: String, _ operation: String? = nil, screenshot: String? = nil, expression: String? = nil,
                       user: String? = nil, code: String? = nil, key: String? = nil, mayFail: Bool? = nil, path: String? = nil,
                       dialog: String? = nil, expect: [String]? = nil, scroll: Bool? = nil) -> BrowserRun.Action {
        BrowserRun.Action(do: kind, operation: operation, screenshot: screenshot, expression: expression, user: user, code: code,
                          key: key, mayFail: mayFail, path: path, dialog: dialog, expect: expect, scroll: scroll)
    }

    /// Runs the browser as `user`, whose authenticator holds their credential from the cluster's
    /// credential file; `signCount` starts its counter above every assertion made before.
    static func browse(_ cluster: LocalCluster, port: Int, as user: String, signCount: UInt32,
                       _ actions: [BrowserRun.Action]) async throws -> [BrowserResults.Result] {
        let file = try JSONDecoder().decode(SoftwareCredentialFile.self, from: Data(contentsOf: cluster.credentialFile(user)))
        return try await browse(port: port, as: .init(user: user, credentialId: file.credentialId, privateKey: file.privateKey,
                                                      signCount: signCount, rpId: file.relyingPartyId), actions)
    }

    /// Runs the browser peer (its wait is off the cooperative pool: see `Blocking`).
    static func browse(port: Int, as person: BrowserRun.Person, _ actions: [BrowserRun.Action]) async throws -> [BrowserResults.Result] {
        let run = BrowserRun(baseURL: "http://localhost:\(port)", screenshots: screenshots.path, person: person, actions: actions)
        return try await PythonPeer.call("console_browser.py", run, as: BrowserResults.self).results
    }

    /// A development cluster of four nodes whose people assert from http://localhost:PORT, with
    /// its gateway on that port (started with `gatewayArguments`) and `policy` (the example
    /// policy by default); the caller stops it.
    static func startCluster(gatewayArguments: [String] = [], policy: URL? = nil) async throws -> (LocalCluster, port: Int) {
        let port = try LoopbackPort.free()
        let cluster = try await LocalCluster(nodeCount: 4, origin: "http://localhost:\(port)", policy: policy)
        do {
            try await cluster.startGateway(port: port, extraArguments: gatewayArguments)
            for id in cluster.nodeIDs { try cluster.startNode(id) }
        } catch {
            cluster.stopAll(removeData: false)
            throw error
        }
        return (cluster, port)
    }

    /// The digest as the page shows it (its first 16 hex digits), without spacing.
    static func shownDigest(_ text: String?) -> String {
        (text ?? "").filter(\.isHexDigit)
    }

    /// Text for the HIDDEN rule: U+202E (right-to-left override), U+200B (zero width space),
    /// U+3164 (Hangul filler), U+2800 (blank Braille), a combining acute accent, U+0378
    /// (unassigned), U+E000 (private use), a no-break space; runs of spaces (review L4 of the
    /// dialog); then plain ASCII and ordinary letters.
    static let hiddenSamples = ["a\u{202E}b", "a\u{200B}b", "\u{3164}", "\u{2800}", "e\u{0301}", "\u{0378}", "\u{E000}", "a\u{00A0}b",
                                "kraken  eth", "   x  ", "a \u{00A0} b",
                                "kraken-eth 0x2e6d88f4 ~!@#$%^&*()", "Zürich 日本 кракен ÅÉ"]

    /// Token addresses for the EIP-712 samples: USDC and USDT on Ethereum.
    static let usdc = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
    static let usdt = "0xdAC17F958D2ee523a2206206994597C13D831ec7"

    @Test func twoPeopleApproveInTheBrowserWhatTheyReadAndEveryNodeExecutesIt() async throws {
        let (cluster, port) = try await Self.startCluster()
        var passed = false
        defer { cluster.stopAll(removeData: passed) }

        let hostile = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\"> & 'q'"
        try await cluster.op(["propose", "--as", "erin", "--id", "add-dave", "add-user", "dave", "trader"])
        try await cluster.op(["propose", "--as", "erin", "--id", "add-walt", "add-user", "walt", "trader"])
        try await cluster.op(["propose", "--as", "erin", "--id", "hostile-label", "create-vault", "v-hostile", "ecdsa-secp256k1", "development", hostile])
        // A policy document is longer than a browser's dialog shows whole: the console refuses it.
        let policy = cluster.root.appendingPathComponent("policy-v15.yaml")
        let example = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        try example.replacingOccurrences(of: "\nversion: 14\n", with: "\nversion: 15\n").write(to: policy, atomically: true, encoding: .utf8)
        try await cluster.op(["propose", "--as", "erin", "--id", "policy-15", "change-policy", policy.path])
        _ = try await cluster.waitForGovernance { g in g.operations.count == 4 }
        let addDave = try await cluster.proposal("add-dave")

        // frank signs in, reads the inbox and the operation, and approves it: he confirms in the
        // browser's own dialog what he read (dave, with the roles trader).
        let frank = try await Self.browse(cluster, port: port, as: "frank", signCount: 100, [
            Self.action("signIn"), Self.action("inbox", screenshot: "inbox.png"),
            Self.action("open", "add-dave", screenshot: "operation.png"),
            Self.action("approve", "add-dave", screenshot: "approved.png", expect: ["Person: dave", "Roles: [trader]"]),
            Self.action("open", "hostile-label", screenshot: "escaped.png"),
            Self.action("script", expression: "window.__pwned === undefined && document.querySelectorAll('#signed script, #signed img').length === 0"),
            // The CSP blocks inline script, even one a page's content managed to insert.
            Self.action("script", expression: """
                (() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; \
                document.body.appendChild(s); return window.__inline === undefined; })()
                """),
            // The script's HIDDEN rule, applied by the page's own function in Chromium.
            Self.action("script", expression: "JSON.stringify(\(String(decoding: try JSONEncoder().encode(Self.hiddenSamples), as: UTF8.self)).map(window.custosConsole.visible))"),
            // A signed value is never cut in the confirmation: the policy document is for the CLI.
            Self.action("approve", "policy-15"),
            // Messages as the script reads them for the page (`text`) and the confirmation (`plain`),
            // and the confirmation itself (its text, or the refusal): an EIP-712 message's signed
            // fields listed whole, an array's items by index (review M1 of the dialog); one with a
            // value too long for the dialog refused for the CLI; a long EIP-191 text cut there.
            Self.action("script", expression: """
                JSON.stringify([{ vault: 'v', message: { format: 'eip712', typedData: { primaryType: 'Permit', domain: { name: 'USD Coin', chainId: 1 },
                  message: { owner: '0xabc', spender: '0xdef', value: '1000', nonce: 0, deadline: '\(String(repeating: "9", count: 80))' } } } },
                  { vault: 'v', message: { format: 'eip191', text: '\(String(repeating: "a", count: 100))' } },
                  { vault: 'v', message: { format: 'eip712', typedData: { primaryType: 'PermitBatch', domain: { name: 'Permit2', chainId: 1 },
                  message: { details: [{ token: '\(Self.usdc)', amount: '1000', nonce: 0 }, { token: '\(Self.usdt)', amount: '2000', nonce: 1 }],
                  spender: '0xdef', sigDeadline: 1900000000 } } } }]
                  .map((b) => { const r = window.custosConsole.readBody(b, null); let c;
                    try { c = window.custosConsole.requestConfirmation('approve', { digests: [new Uint8Array(32)], lines: [r.plain], amounts: [], warnings: [],
                      tooLong: r.tooLong ? [r.tooLong] : [] }); } catch (e) { c = 'refused: ' + e.message; }
                    return [r.text, r.plain, r.warning, c]; }))
                """),
            // The script's own labels and types of every change's signed fields (review M3 of the dialog).
            Self.action("script", expression: "JSON.stringify(window.custosConsole.fieldTable())"),
            // A call's native value is whole units as signed, and the source address is named
            // (review L1, L2 of the dialog).
            Self.action("script", expression: """
                JSON.stringify((() => { const r = window.custosConsole.readBody({ kind: 'contract_call', initiator: 'alice', vault: 'v', from: 'trading-1',
                  chain: 'ethereum', to: '0xdef', value: '1.5', data: '0x12345678' }, document.createElement('article')); return [r.plain, r.amounts]; })())
                """),
            // Review L1 of the dialog: the page's signed table (policy-15's, six fields), copied into the page and altered
            // as a gateway would to show another label than the one its text holds; the script's check of each copy.
            Self.action("script", expression: """
                JSON.stringify((() => {
                  const row = (s) => s.querySelectorAll('table.canonical tr')[2];
                  const alterations = [
                    ['honest', (s) => {}],
                    ['label drawn at size 0', (s) => { row(s).cells[0].style.fontSize = '0px'; }],
                    ['label in an element', (s) => { const b = document.createElement('b'); b.textContent = row(s).cells[0].textContent;
                      row(s).cells[0].replaceChildren(b); }],
                    ['a third cell', (s) => { row(s).insertCell().textContent = 'Operation id'; }],
                    ['a nested table', (s) => { const field = row(s).cells[1].firstElementChild; const t = document.createElement('table');
                      const r = t.insertRow(); r.appendChild(document.createElement('th')).textContent = 'Proposed by'; r.insertCell().appendChild(field);
                      row(s).cells[1].replaceChildren(t); }],
                    ['the field wrapped', (s) => { const d = document.createElement('div'); d.appendChild(row(s).cells[1].firstElementChild);
                      row(s).cells[1].replaceChildren(d); }],
                  ];
                  return alterations.map(([name, alter]) => {
                    const copy = document.getElementById('signed').cloneNode(true);
                    document.body.appendChild(copy);
                    try { alter(copy); return name + ': ' + window.custosConsole.operationFields(copy).map(([l]) => l).join(', '); }
                    catch (e) { return name + ': ' + e.message; } finally { copy.remove(); }
                  });
                })())
                """),
        ])
        #expect(frank[0].user == "frank")
        let rows = try #require(frank[1].rows)
        #expect(rows.count == 4)
        let daveRow = try #require(rows.first { $0.first == "add-dave" })
        #expect(daveRow[1] == "Add the person dave with the roles trader" && daveRow[2] == "erin" && daveRow[3] == "0 of 2")
        #expect(frank[1].freeze == "Signing active (not frozen)")
        // The page shows the digest every node checks, computed in the browser.
        #expect(Self.shownDigest(frank[2].digest) == String(addDave.digest.hexString.prefix(16)))
        #expect(frank[2].signed?.contains(["Roles", "trader"]) == true)
        #expect(frank[3].notice?.contains("Your approval is queued") == true, "\(frank[3])")
        // The confirmation holds the signed fields as the script encodes them, and the digest.
        #expect(frank[3].accepted == [true] && frank[3].dialogs.count == 1, "\(frank[3].dialogs)")
        let confirmation = frank[3].dialogs.first ?? ""
        #expect(confirmation.hasPrefix("APPROVE this governance operation?\n") && confirmation.contains("\nOperation id: add-dave\n")
                && confirmation.contains("\nChange: add-user\n") && confirmation.contains("\nDigest \(addDave.digest.hexString.prefix(16)) …\n"),
                "\(confirmation)")
        #expect(frank[3].signCount == (frank[2].signCount ?? 0) + 1, "the approval is one assertion")
        // A name made of HTML and script is shown as text, and nothing of it runs.
        #expect(rows.contains { $0[1].contains(hostile) })
        #expect(frank[4].signed?.contains(["Label", hostile]) == true)
        #expect(frank[5].value == true)
        #expect(frank[6].value == true)
        // Characters that hide, reverse or blank text are shown as code points; plain ASCII and
        // ordinary letters are not — exactly as the server's ConsoleText.visible shows them.
        let shown = try JSONDecoder().decode([String].self, from: Data((frank[7].text ?? "").utf8))
        #expect(shown == ["a<U+202E>b", "a<U+200B>b", "<U+3164>", "<U+2800>", "e<U+0301>", "<U+0378>", "<U+E000>", "a<U+00A0>b",
                          "kraken <U+0020>eth", " <U+0020><U+0020>x <U+0020>", "a <U+00A0> b",
                          "kraken-eth 0x2e6d88f4 ~!@#$%^&*()", "Zürich 日本 кракен ÅÉ"], "\(shown)")
        #expect(shown == Self.hiddenSamples.map(ConsoleText.visible), "the script and the server agree")
        let messages = try JSONDecoder().decode([[String?]].self, from: Data((frank[9].text ?? "").utf8))
        let nines = String(repeating: "9", count: 80), a100 = String(repeating: "a", count: 100)
        let notVerified = "NOT VERIFIED: the table beside it is the gateway's, not verified by this page"
        let unverified = " (THE TABLE BESIDE IT IS THE GATEWAY'S, NOT VERIFIED BY THIS PAGE)"
        let permit = "sign EIP-712 typed data, primaryType Permit, domain {name USD Coin, chainId 1}, message {owner 0xabc, spender 0xdef, value 1000, nonce 0, "
            + "deadline \(nines)} with vault v"
        let text = "sign a eip191 message, text \"\(a100.prefix(80))… (20 MORE CHARACTERS NOT SHOWN HERE)\" with vault v"
        let batch = "sign EIP-712 typed data, primaryType PermitBatch, domain {name Permit2, chainId 1}, message {details[0].token \(Self.usdc), "
            + "details[0].amount 1000, details[0].nonce 0, details[1].token \(Self.usdt), details[1].amount 2000, details[1].nonce 1, "
            + "spender 0xdef, sigDeadline 1900000000} with vault v"
        let dialog = { (reading: String) in
            "APPROVE this request?\nAs your browser read the signed text (not the page):\n\(reading)\nDigest 0000000000000000 …\n"
                + "OK asks your security key; Cancel signs nothing."
        }
        #expect(messages == [
            [permit + unverified, permit, notVerified,
             "refused: the signed EIP-712 message has 1 field (deadline) longer than the browser's confirmation shows whole (40 characters a name, "
                + "66 a value), and this page never cuts a signed field: read and approve it in the CLI (custos request show, custos request approve)."],
            ["sign a eip191 message, text \"\(a100)\" with vault v" + unverified, text, notVerified, dialog(text)],
            [batch + unverified, batch, notVerified, dialog(batch)],
        ], "\(messages)")
        // The confirmation's labels are the script's own, and they are the server's, kind by kind.
        struct FieldTable: Decodable { var common: [[String]]; var changes: [String: [[String]]] }
        let scriptTable = try JSONDecoder().decode(FieldTable.self, from: Data((frank[10].text ?? "").utf8))
        var serverTable = try ConsoleFieldTests.fieldTable()
        #expect(scriptTable.common == serverTable.removeValue(forKey: ""), "\(scriptTable.common)")
        #expect(scriptTable.changes == serverTable, "\(scriptTable.changes)")
        struct Reading: Decodable { var plain: String; var amounts: [[String]]
            init(from decoder: any Decoder) throws {
                var c = try decoder.unkeyedContainer()
                plain = try c.decode(String.self)
                amounts = try c.decode([[String]].self)
            }
        }
        let call = try JSONDecoder().decode(Reading.self, from: Data((frank[11].text ?? "").utf8))
        #expect(call.plain == "contract_call to 0xdef with value 1.5 of the native asset (in whole units, as signed) on chain ethereum "
                + "from vault v, source address trading-1: selector 0x12345678, 4 bytes of calldata", "\(call.plain)")
        #expect(call.amounts == [["of the native asset (in whole units, as signed) on chain ethereum", "1.5"]], "\(call.amounts)")
        let structures = try JSONDecoder().decode([String].self, from: Data((frank[12].text ?? "").utf8))
        let refused = "the page does not show signed field 3 (Proposed by) in a row of its own of the signed table under a label a person reads "
            + "as it is: the page is not what is signed; nothing was signed."
        #expect(structures == ["honest: Format, Operation id, Proposed by, Lifetime (seconds), Change, Policy document, "
                               + "Replaces the policy with digest (hex)"]
                + ["label drawn at size 0", "label in an element", "a third cell", "a nested table", "the field wrapped"].map { $0 + ": " + refused },
                "\(structures)")
        // The policy change is refused before any dialog or assertion, naming the CLI.
        #expect(frank[8].clicked == true && frank[8].dialogs.isEmpty && frank[8].signCount == frank[7].signCount
                && frank[8].credentialRequests == 0, "\(frank[8])")
        #expect(frank[8].status?.hasPrefix("Not signed: a policy change is read and decided in the CLI, which checks its differences ") == true
                && frank[8].status?.contains("(custos op show policy-15, custos op approve policy-15).") == true, "\(frank[8])")

        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-dave" }?.approvals == ["frank"] }

        // grace approves too: the operation executes on every node.
        let grace = try await Self.browse(cluster, port: port, as: "grace", signCount: 100, [
            Self.action("signIn"), Self.action("approve", "add-dave"), Self.action("open", "add-dave", screenshot: "executed.png"),
        ])
        #expect(grace[1].notice?.contains("Your approval is queued") == true, "\(grace[1])")
        let statuses = try await cluster.waitForGovernance { g in
            g.operations.first { $0.id == "add-dave" }?.status == "executed" && g.users.contains { $0.id == "dave" }
        }
        #expect(statuses.values.allSatisfy { $0.governance?.operations.first { $0.id == "add-dave" }?.approvals == ["frank", "grace"] })

        // A person who cancels the browser's confirmation signs nothing (the authenticator is
        // not asked); an authenticator that declines user verification cannot approve either.
        let declined = try await Self.browse(cluster, port: port, as: "grace", signCount: 200, [
            Self.action("signIn"), Self.action("approve", "add-walt", dialog: "dismiss"), Self.action("declineUserVerification"),
            Self.action("approve", "add-walt", screenshot: "declined.png"),
        ])
        #expect(declined[1].dialogs.count == 1 && declined[1].accepted == [false] && declined[1].dialogs[0].contains("\nPerson: walt\n"),
                "\(declined[1].dialogs)")
        #expect(declined[1].status == "Not signed: you cancelled in the confirmation: nothing was signed.", "\(declined[1])")
        #expect(declined[1].signCount == declined[0].signCount, "no assertion was asked for")
        #expect(declined[3].accepted == [true] && declined[3].status?.contains("did not verify you") == true, "\(declined[3])")
        let gateway: OperationDetail = try await cluster.getJSON("/v1/operations/add-walt")
        #expect(gateway.operation.approvals.isEmpty && gateway.refusals.isEmpty)

        // Review M3 of the dialog, as the attacker: the gateway, restarted lying, swaps the labels
        // of an assign-role's person and role on the page (the values, which are signed, stay).
        // frank clicks approve and would accept any confirmation: the script compares the page's
        // fields with its own table and refuses, naming the label, before any confirmation or
        // call of the authenticator; nothing reaches the log.
        try await cluster.op(["propose", "--as", "erin", "--id", "assign-grace", "assign-role", "grace", "trader"])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "assign-grace" } }
        cluster.killGateway(signal: SIGKILL)
        try await cluster.startGateway(port: port, extraArguments: ["--unsafe-test-console-alters-call-table", "swapped-labels"])
        let swapped = try await Self.browse(cluster, port: port, as: "frank", signCount: 400, [
            Self.action("signIn"), Self.action("open", "assign-grace", screenshot: "operation-swapped-labels.png"),
            Self.action("approve", "assign-grace", dialog: "accept"),
        ])
        #expect(swapped[1].signed?.contains(["Role", "grace"]) == true && swapped[1].signed?.contains(["Person", "trader"]) == true,
                "the lie is on the page: \(String(describing: swapped[1].signed))")
        #expect(swapped[2].clicked == true && swapped[2].dialogs.isEmpty && swapped[2].credentialRequests == 0
                && swapped[2].signCount == swapped[1].signCount, "\(swapped[2])")
        #expect(swapped[2].status == "Not signed: the page labels signed field 6 \"Role\", which this page calls \"Person\" in an assign-role "
                + "operation: the page is not what is signed; nothing was signed.", "\(swapped[2])")
        // Nothing of the lying page's reached the operation: no approval, no refusal, and the page
        // says nothing was queued.
        let afterLie: OperationDetail = try await cluster.getJSON("/v1/operations/assign-grace")
        #expect(swapped[2].notice == nil && afterLie.operation.approvals.isEmpty && afterLie.refusals.isEmpty, "\(afterLie)")
        // The positive control: the honest page, approved the same way (frank accepts only a
        // confirmation that says what he read), puts his approval, and only it, in every log.
        cluster.killGateway(signal: SIGKILL)
        try await cluster.startGateway(port: port)
        let honest = try await Self.browse(cluster, port: port, as: "frank", signCount: 500, [
            Self.action("signIn"), Self.action("approve", "assign-grace", expect: ["\nChange: assign-role\nPerson: grace\nRole: trader\n"]),
        ])
        #expect(honest[1].accepted == [true] && honest[1].credentialRequests == 1 && honest[1].notice?.contains("Your approval is queued") == true,
                "\(honest[1])")
        let assigned = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "assign-grace" }?.approvals == ["frank"] }
        for (node, status) in assigned {
            #expect(status.governance?.refusals.contains { $0.operationId == "assign-grace" } == false, "\(node): nothing of assign-grace was refused")
        }

        // A security officer freezes signing: every page says so.
        try await cluster.op(["propose", "--as", "heidi", "--id", "freeze-1", "freeze"])
        _ = try await cluster.waitForGovernance { g in g.frozen }
        // The gateway certified the block before any node applied it.
        let view: ClusterView = try await cluster.getJSON("/v1/cluster")
        #expect(view.frozen)
        let frozen = try await Self.browse(cluster, port: port, as: "frank", signCount: 600, [
            Self.action("signIn"), Self.action("inbox", screenshot: "frozen.png"),
        ])
        #expect(frozen[1].freeze?.hasPrefix("FROZEN") == true, "\(frozen)")
        passed = true
    }

    @Test func anApprovalOfAPageTheGatewayAlteredIsRefusedByEveryNode() async throws {
        // A gateway that shows approvers something else than the operation, and queues what it
        // gets unchecked, so that the nodes' own checks are what is tried.
        let (cluster, port) = try await Self.startCluster(
            gatewayArguments: ["--unsafe-test-console-alters-display", "--unsafe-test-queue-unchecked"])
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.op(["propose", "--as", "erin", "--id", "add-dave", "add-user", "dave", "trader"])
        _ = try await cluster.waitForGovernance { g in g.operations.count == 1 }
        let addDave = try await cluster.proposal("add-dave")

        let frank = try await Self.browse(cluster, port: port, as: "frank", signCount: 100, [
            Self.action("signIn"), Self.action("open", "add-dave", screenshot: "altered.png"), Self.action("approve", "add-dave"),
        ])
        // The page shows (and so signs) roles the operation does not hold, and a digest of that.
        #expect(frank[1].signed?.contains(["Roles", "admin"]) == true)
        #expect(Self.shownDigest(frank[1].digest) != String(addDave.digest.hexString.prefix(16)))
        #expect(frank[2].notice?.contains("Your approval is queued") == true, "\(frank[2])")

        let statuses = try await cluster.waitForGovernance { g in
            g.refusals.contains { $0.operationId == "add-dave" && $0.user == "frank" }
        }
        for (id, status) in statuses {
            let g = try #require(status.governance)
            let refusal = try #require(g.refusals.first { $0.operationId == "add-dave" })
            #expect(refusal.code == "assertionRefused" && refusal.webAuthn == "wrongChallenge", "\(id): \(refusal.reason)")
            #expect(g.operations.first { $0.id == "add-dave" }?.approvals == [], "\(id)")
        }
        passed = true
    }

    @Test func aPersonEnrolsASecurityKeyThatSignsInOnlyOnceTheQuorumApprovedTheirEnrolment() async throws {
        let (cluster, port) = try await Self.startCluster()
        var passed = false
        defer { cluster.stopAll(removeData: passed) }

        // alice makes her one-time code in her browser and hands erin only its key; erin prepares
        // the enrolment. Before the quorum approves it, the code registers nothing.
        let alice = BrowserRun.Person(user: "alice", signCount: 0, rpId: "localhost")
        let made = try await Self.browse(port: port, as: alice, [Self.action("makeCode", screenshot: "code.png")])
        let code = try #require(made[0].code)
        let codeKey = try #require(made[0].key)
        #expect(try codeKey == CredentialEnrolment.codeKey(ofCode: [UInt8](hex: code)).hexString, "the page's code key is not the nodes' one")
        let invited = try await Self.browse(cluster, port: port, as: "erin", signCount: 100, [
            Self.action("signIn"), Self.action("invite", screenshot: "invited.png", user: "alice", key: codeKey),
        ])
        #expect(invited[1].key == codeKey)
        let operation = try #require(invited[1].operation)
        let early = try await Self.browse(port: port, as: alice, [Self.action("enrol", code: code)])
        #expect(early[0].status?.contains("not approved this enrolment yet") == true, "\(early[0])")
        #expect(early[0].credentials?.isEmpty != false, "\(early[0])")

        // erin proposes the enrolment, signing the operation the page shows; frank and grace approve.
        let proposed = try await Self.browse(cluster, port: port, as: "erin", signCount: 200, [
            Self.action("signIn"), Self.action("propose", operation, screenshot: "proposed.png"),
        ])
        #expect(proposed[1].notice?.contains("is queued") == true, "\(proposed[1])")
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == operation } }
        for person in ["frank", "grace"] { try await cluster.op(["approve", "--yes", "--as", person, operation]) }
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == operation }?.status == "executed" }

        // alice registers a new key with the code in her browser; it is hers once every node checked it.
        let enrolled = try await Self.browse(port: port, as: alice, [Self.action("enrol", screenshot: "enrolled.png", code: code)])
        #expect(enrolled[0].message?.contains("Your security key is registered for alice") == true, "\(enrolled[0])")
        let key = try #require(enrolled[0].credentials?.first)
        var newKey = alice
        newKey.credentialId = Base64URL.encode(Array(try #require(Data(base64Encoded: key.credentialId))))
        newKey.privateKeyPKCS8 = key.privateKey
        newKey.signCount = key.signCount
        // The code is spent; the console never saw it (only its key and the code's signature).
        let again = try await Self.browse(port: port, as: alice, [Self.action("enrol", code: code)])
        #expect(again[0].status?.contains("used or expired") == true, "\(again[0])")
        let codeBytes = Data(try [UInt8](hex: code))
        for file in FileManager.default.enumerator(at: cluster.gatewayData, includingPropertiesForKeys: nil)?.compactMap({ $0 as? URL }) ?? [] {
            guard let stored = try? Data(contentsOf: file) else { continue }
            #expect(stored.range(of: Data(code.utf8)) == nil && stored.range(of: codeBytes) == nil, "the gateway stored the code in \(file.lastPathComponent)")
        }
        #expect(!cluster.log("gateway").contains(code))
        _ = try await cluster.waitForGovernance { g in g.users.first { $0.id == "alice" }?.credentials.count == 2 }
        newKey.signCount += 1
        let late = try await Self.browse(port: port, as: newKey, [Self.action("signIn"), Self.action("inbox")])
        #expect(late[0].user == "alice")
        passed = true
    }

    /// A security officer freezes from the console: the confirmation page shows the freeze
    /// operation the browser signs (its fields and digest); under the example policy one
    /// officer's freeze executes at once, every node's state is frozen and the header says FROZEN
    /// on the next page. frank holds no freeze role: no button, and the page refuses him.
    @Test func aSecurityOfficerFreezesSigningWithOneConfirmedAssertion() async throws {
        let (cluster, port) = try await Self.startCluster()
        var passed = false
        defer { cluster.stopAll(removeData: passed) }

        let refused = try await Self.browse(cluster, port: port, as: "frank", signCount: 100, [
            Self.action("signIn"), Self.action("script", expression: "!!document.getElementById('freeze-button')"),
            Self.action("visit", path: "/console/freeze"),
            Self.action("visit", screenshot: "directory-members.png", path: "/console/directory/members"),
        ])
        #expect(refused[1].value == false, "frank sees no Freeze button")
        #expect(refused[2].text?.contains("Only holders of security-officer may freeze signing") == true, "\(refused[2])")
        #expect(refused[3].text?.contains("node-1") == true && refused[3].text?.contains("Identity key") == true, "\(refused[3])")

        let frozen = try await Self.browse(cluster, port: port, as: "heidi", signCount: 100, [
            Self.action("signIn"), Self.action("script", expression: "!!document.getElementById('freeze-button')"),
            Self.action("freeze", screenshot: "freeze-proposed.png"),
        ])
        #expect(frozen[1].value == true, "heidi, a security officer, sees the Freeze button")
        let dialog = try #require(frozen[2].dialogs.first, "the browser's confirmation")
        #expect(dialog.contains("PROPOSE this governance operation?") && dialog.contains("Change: freeze") && dialog.contains("Proposed by: heidi"),
                "\(dialog)")
        #expect(frozen[2].notice?.contains("is queued") == true, "\(frozen[2])")
        let shown = Self.shownDigest(frozen[2].digest)
        let statuses = try await cluster.waitForGovernance { $0.frozen }
        let operation = try #require(statuses.values.first?.governance?.operations.first { $0.action == "freeze" })
        #expect(operation.proposer == "heidi" && operation.status == "executed")
        #expect(shown.count >= 16 && operation.digest.hasPrefix(shown), "the page showed \(shown), the nodes hold \(operation.digest)")

        let after = try await Self.browse(cluster, port: port, as: "heidi", signCount: 200, [
            Self.action("signIn"), Self.action("inbox", screenshot: "frozen.png"),
            Self.action("script", expression: "!!document.getElementById('freeze-button')"),
        ])
        #expect(after[1].freeze?.hasPrefix("FROZEN") == true, "\(after[1])")
        #expect(after[2].value == false, "no Freeze button while frozen")
        passed = true
    }
}
