import CustosClusterAPI
import CustosCore
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// The approver's last defence: `custos op approve | reject | list | show` and `custos request
/// submit` against a lying gateway (`LyingGateway`: a real gateway's answers, altered), each
/// refusal shown with its message and, where the command would sign, with nothing sent; and the
/// confirmation an approver gives at a terminal without `--yes`.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct ApproverCommandTests {
    /// A development cluster of four nodes where erin proposed add-dave and add-walt (two new
    /// traders), both committed and open.
    static func clusterWithTwoOperations() async throws -> LocalCluster {
        let cluster = try await LocalCluster(nodeCount: 4)
        do {
            try await cluster.startGateway()
            for id in cluster.nodeIDs { try cluster.startNode(id) }
            try await cluster.op(["propose", "--as", "erin", "--id", "add-dave", "add-user", "dave", "trader"])
            try await cluster.op(["propose", "--as", "erin", "--id", "add-walt", "add-user", "walt", "trader"])
            _ = try await cluster.waitForGovernance { g in g.operations.count == 2 }
        } catch {
            cluster.stopAll(removeData: false)
            throw error
        }
        return cluster
    }

    /// `custos op VERB --gateway GATEWAY --as USER …` (a credential of the cluster).
    static func op(_ cluster: LocalCluster, _ verb: String, gateway: String, as user: String? = nil, _ rest: [String]) async throws
        -> CustosExecutable.Outcome {
        try await CustosExecutable.run(["op", verb, "--gateway", gateway] + (user.map { ["--as", cluster.credentialFile($0).path] } ?? []) + rest)
    }

    /// Changes the `operation` object of an operation detail.
    static func operation(_ value: inout Any, _ change: (inout [String: Any]) -> Void) {
        guard var detail = value as? [String: Any], var operation = detail["operation"] as? [String: Any] else { return }
        change(&operation)
        detail["operation"] = operation
        value = detail
    }

    /// Changes the listed operation `id` in an operation list.
    static func listed(_ value: inout Any, _ id: String, _ change: (inout [String: Any]) -> Void) {
        guard var list = value as? [[String: Any]], let i = list.firstIndex(where: { $0["id"] as? String == id }) else { return }
        change(&list[i])
        value = list
    }

    /// A refusal as the command line gives it: one line on standard error, starting with `message`.
    static func expectOneLine(_ stderr: String, startingWith message: String, _ what: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(stderr.hasPrefix(message), "\(what): \(stderr)", sourceLocation: sourceLocation)
        #expect(stderr.hasSuffix("\n") && stderr.split(separator: "\n").count == 1, "\(what): \(stderr)", sourceLocation: sourceLocation)
    }

    /// Would have caught an approver's command that signs what a gateway serves without
    /// checking it is the operation asked for, that its digest is its content's, that it is the
    /// one the approver was told of out of band, and that it is still open; and one that trusts
    /// the gateway's word on which entry it queued.
    @Test func approveAndRejectRefuseWhatALyingGatewayAltersAndSendNothing() async throws {
        let cluster = try await Self.clusterWithTwoOperations()
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        let dave: OperationDetail = try await cluster.getJSON("/v1/operations/add-dave")
        let walt: OperationDetail = try await cluster.getJSON("/v1/operations/add-walt")
        let real = try await cluster.proposal("add-dave")
        // The same id and proposer, but dave becomes an admin.
        let admin = GovernanceProposal(id: "add-dave", proposer: "erin", change: .addUser(id: "dave", roles: ["admin"]),
                                       lifetimeSeconds: real.lifetimeSeconds)
        let adminBytes = Data(admin.encoded).base64EncodedString(), adminDigest = admin.digest.hexString
        let path = "/v1/operations/add-dave"
        let genesis = try await cluster.genesisDigest().hexString
        let otherCluster = String(repeating: "5a", count: 32)
        let cases: [(name: String, alter: LyingGateway.Alteration, extra: [String], message: String)] = [
            ("another operation's content under the id asked for", LyingGateway.json(at: path) { v in
                Self.operation(&v) { $0["proposal"] = walt.operation.proposal; $0["digest"] = walt.operation.digest }
            }, [], "the gateway sent operation \"add-walt\" for \"add-dave\""),
            ("altered content, the digest kept", LyingGateway.json(at: path) { v in
                Self.operation(&v) { $0["proposal"] = adminBytes }
            }, [], "the gateway's digest for add-dave is not the digest of its content"),
            ("altered content with its own digest, against the digest received out of band", LyingGateway.json(at: path) { v in
                Self.operation(&v) { $0["proposal"] = adminBytes; $0["digest"] = adminDigest; $0["summary"] = admin.change.summary }
            }, ["--digest", dave.operation.digest],
             "operation add-dave has the digest \(adminDigest), not the \(dave.operation.digest) you expect: refusing to sign"),
            ("a summary that is not the content", LyingGateway.json(at: path) { v in
                Self.operation(&v) { $0["summary"] = admin.change.summary }
            }, [], "the gateway's proposer, action or summary of add-dave is not its content"),
            ("a proposal that is not base64", LyingGateway.json(at: path) { v in
                Self.operation(&v) { $0["proposal"] = "not base64!" }
            }, [], "the gateway sent a proposal that is not base64 for \"add-dave\""),
            ("a proposal that does not decode", LyingGateway.json(at: path) { v in
                Self.operation(&v) { $0["proposal"] = Data("not a proposal".utf8).base64EncodedString() }
            }, [], "the gateway sent a proposal for \"add-dave\" that does not decode"),
            ("an operation no longer proposed", LyingGateway.json(at: path) { v in
                Self.operation(&v) { $0["status"] = "executed" }
            }, [], "operation add-dave is executed; nothing to decide"),
            // The honest gateway, but the approver was told of another digest.
            ("a digest other than the one received out of band", LyingGateway.honest, ["--digest", walt.operation.digest],
             "operation add-dave has the digest \(dave.operation.digest), not the \(walt.operation.digest) you expect: refusing to sign"),
            // A gateway of another cluster (staging, say) serving the same operation: the
            // credential file names the cluster it was made for (genesis review M2).
            ("another cluster than the credential's", LyingGateway.json(at: "/v1/cluster") { v in
                guard var view = v as? [String: Any] else { return }
                view["genesisDocumentDigest"] = otherCluster
                v = view
            }, [], "the gateway serves the cluster with genesis document digest \(otherCluster), but \(cluster.credentialFile("frank").path) "
                + "was made for \(genesis): refusing to sign"),
        ]
        for (name, alter, extra, message) in cases {
            for verb in ["approve", "reject"] {
                try await LyingGateway.with(upstream: cluster.baseURL, alter: alter) { gateway, forwarded in
                    let out = try await Self.op(cluster, verb, gateway: gateway, as: "frank", ["--yes"] + extra + ["add-dave"])
                    #expect(out.status == 1, "\(verb), \(name): \(out.stdout)")
                    Self.expectOneLine(out.stderr, startingWith: "custos: \(message)", "\(verb), \(name)")
                    let writes = await forwarded.writes
                    #expect(writes.isEmpty, "\(verb), \(name): sent \(writes)")
                }
            }
        }

        // A receipt for another entry than the approval signed: the command says so and fails.
        let receiptLie = LyingGateway.answer(to: "POST", "/v1/operations/add-dave/approvals") { v in
            guard var receipt = v as? [String: Any] else { return }
            receipt["entry"] = String(repeating: "0", count: 64)
            v = receipt
        }
        try await LyingGateway.with(upstream: cluster.baseURL, alter: receiptLie) { gateway, forwarded in
            let out = try await Self.op(cluster, "approve", gateway: gateway, as: "frank", ["--yes", "add-dave"])
            #expect(out.status == 1)
            #expect(out.stderr.hasPrefix("custos: the gateway acknowledged entry \(String(repeating: "0", count: 64)), not the approval signed here ("),
                    "\(out.stderr)")
            let writes = await forwarded.writes
            #expect(writes == ["POST /v1/operations/add-dave/approvals"])
        }
        // Through the honest gateway grace's approval goes through: frank's (the one the lying
        // receipt hid) and hers are the only decisions any node recorded for add-dave.
        try await LyingGateway.with(upstream: cluster.baseURL, alter: LyingGateway.honest) { gateway, forwarded in
            let out = try await Self.op(cluster, "approve", gateway: gateway, as: "grace", ["--yes", "--digest", dave.operation.digest, "add-dave"])
            #expect(out.status == 0, "\(out.stderr)")
            #expect(out.stdout.contains("\nqueued as "), "\(out.stdout)")
            let writes = await forwarded.writes
            #expect(writes == ["POST /v1/operations/add-dave/approvals"])
        }
        let statuses = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-dave" }?.status == "executed" }
        for (id, status) in statuses {
            let g = try #require(status.governance)
            let op = try #require(g.operations.first { $0.id == "add-dave" })
            #expect(op.approvals == ["frank", "grace"], "\(id)")
            #expect(op.rejections.isEmpty, "\(id)")
            #expect(g.users.first { $0.id == "dave" }?.roles == ["trader"], "\(id)")
            #expect(!g.refusals.contains { $0.operationId == "add-dave" }, "\(id): \(g.refusals)")
        }
        // The operation is executed now: the honest gateway says so, and nobody is asked to sign.
        for verb in ["approve", "reject"] {
            let out = try await Self.op(cluster, verb, gateway: cluster.baseURL, as: "heidi", ["--yes", "add-dave"])
            #expect(out.status == 1)
            Self.expectOneLine(out.stderr, startingWith: "custos: operation add-dave is executed; nothing to decide", verb)
        }
        passed = true
    }

    /// Would have caught `op list` and `op show` printing whatever a gateway sends (another
    /// operation's content, a summary or digest that is not the content, an operation of another
    /// status than asked for), and `request submit` trusting a receipt for another entry.
    @Test func listShowAndSubmitRefuseWhatALyingGatewayAlters() async throws {
        let cluster = try await Self.clusterWithTwoOperations()
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        let walt: OperationDetail = try await cluster.getJSON("/v1/operations/add-walt")
        let waltJSON = try JSONEncoder().encode(walt.operation)
        let honestList = try await Self.op(cluster, "list", gateway: cluster.baseURL, ["--status", "proposed", "--json"])
        #expect(honestList.status == 0, "\(honestList.stderr)")
        #expect(try JSONDecoder().decode([OperationView].self, from: Data(honestList.stdout.utf8)).map(\.id).sorted() == ["add-dave", "add-walt"])
        let honestShow = try await Self.op(cluster, "show", gateway: cluster.baseURL, ["add-dave"])
        #expect(honestShow.status == 0, "\(honestShow.stderr)")
        #expect(try JSONDecoder().decode(OperationDetail.self, from: Data(honestShow.stdout.utf8)).operation.id == "add-dave")

        let list = "/v1/operations?status=proposed", show = "/v1/operations/add-dave"
        let cases: [(name: String, alter: LyingGateway.Alteration, verb: String, arguments: [String], message: String)] = [
            ("a listed operation under another id", LyingGateway.json(at: list) { v in Self.listed(&v, "add-dave") { $0["id"] = "add-eve" } },
             "list", ["--status", "proposed"], "the gateway lists operation \"add-eve\" with the content of \"add-dave\""),
            ("a listed summary that is not the content", LyingGateway.json(at: list) { v in
                Self.listed(&v, "add-dave") { $0["summary"] = "add user dave with roles admin" }
            }, "list", ["--status", "proposed"], "the gateway's proposer, action or summary of add-dave is not its content"),
            ("a listed digest that is not the content's", LyingGateway.json(at: list) { v in
                Self.listed(&v, "add-dave") { $0["digest"] = walt.operation.digest }
            }, "list", ["--status", "proposed"], "the gateway's digest for add-dave is not the digest of its content"),
            ("an operation of another status than asked for", LyingGateway.json(at: list) { v in
                Self.listed(&v, "add-dave") { $0["status"] = "executed" }
            }, "list", ["--status", "proposed"], "the gateway lists operation add-dave as executed among the proposed ones"),
            ("another operation shown for the one asked for", LyingGateway.json(at: show) { v in
                Self.operation(&v) { $0 = (try? JSONSerialization.jsonObject(with: waltJSON)) as? [String: Any] ?? [:] }
            }, "show", ["add-dave"], "the gateway sent operation \"add-walt\" for \"add-dave\""),
            ("a shown proposer that is not the content's", LyingGateway.json(at: show) { v in Self.operation(&v) { $0["proposer"] = "frank" } },
             "show", ["add-dave"], "the gateway's proposer, action or summary of add-dave is not its content"),
            ("a shown digest that is not the content's", LyingGateway.json(at: show) { v in
                Self.operation(&v) { $0["digest"] = walt.operation.digest }
            }, "show", ["add-dave"], "the gateway's digest for add-dave is not the digest of its content"),
        ]
        for (name, alter, verb, arguments, message) in cases {
            try await LyingGateway.with(upstream: cluster.baseURL, alter: alter) { gateway, _ in
                let out = try await Self.op(cluster, verb, gateway: gateway, arguments)
                #expect(out.status == 1, "\(name): \(out.stdout)")
                #expect(out.stdout.isEmpty, "\(name): printed what it refused")
                Self.expectOneLine(out.stderr, startingWith: "custos: \(message)", name)
            }
        }

        // A bot, registered by the quorum, submits a request; a receipt for another entry is refused.
        try await cluster.op(["propose", "--as", "erin", "--id", "add-risk-bot", "add-bot", "risk-bot", "risk-bot"])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "add-risk-bot" } }
        try await cluster.op(["approve", "--yes", "--as", "frank", "add-risk-bot"])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-risk-bot" }?.approvals.count == 1 }
        try await cluster.op(["approve", "--yes", "--as", "grace", "add-risk-bot"])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-risk-bot" }?.status == "executed" }
        let bot = cluster.root.appendingPathComponent("credentials/risk-bot.bot.json").path
        let body = TestEnvironment.packageRoot.appendingPathComponent("examples/policies/requests/risk-bot-kraken.json").path
        let receiptLie = LyingGateway.answer(to: "POST", "/v1/requests") { v in
            guard var receipt = v as? [String: Any] else { return }
            receipt["entry"] = String(repeating: "f", count: 64)
            v = receipt
        }
        try await LyingGateway.with(upstream: cluster.baseURL, alter: receiptLie) { gateway, forwarded in
            let out = try await CustosExecutable.run(["request", "submit", "--gateway", gateway, "--bot", bot, body])
            #expect(out.status == 1)
            #expect(out.stderr.hasPrefix("custos: the gateway acknowledged entry \(String(repeating: "f", count: 64)), not the request signed here ("),
                    "\(out.stderr)")
            let writes = await forwarded.writes
            #expect(writes == ["POST /v1/requests"])
        }
        // The bot key file names the cluster the bot was registered in: a gateway of another
        // cluster gets nothing signed (genesis review M2).
        let otherCluster = LyingGateway.json(at: "/v1/cluster") { v in
            guard var view = v as? [String: Any] else { return }
            view["genesisDocumentDigest"] = String(repeating: "5a", count: 32)
            v = view
        }
        try await LyingGateway.with(upstream: cluster.baseURL, alter: otherCluster) { gateway, forwarded in
            let out = try await CustosExecutable.run(["request", "submit", "--gateway", gateway, "--bot", bot, body])
            #expect(out.status == 1)
            Self.expectOneLine(out.stderr, startingWith: "custos: the gateway serves the cluster with genesis document digest "
                + "\(String(repeating: "5a", count: 32)), but \(bot) was made for \(try await cluster.genesisDigest().hexString)", "another cluster")
            let writes = await forwarded.writes
            #expect(writes.isEmpty, "sent \(writes)")
        }
        try await LyingGateway.with(upstream: cluster.baseURL, alter: LyingGateway.honest) { gateway, _ in
            let out = try await CustosExecutable.run(["request", "submit", "--gateway", gateway, "--bot", bot, body])
            #expect(out.status == 0, "\(out.stderr)")
            #expect(out.stdout.contains("submitted as risk-bot"), "\(out.stdout)")
        }
        passed = true
    }

    /// Would have caught an approver's command that signs without a confirmation at a terminal,
    /// takes another answer than the verb for one, or signs when its input is not a terminal.
    @Test func withoutYesTheApproverConfirmsAtATerminalAndEachAnswerDoesWhatItSays() async throws {
        let cluster = try await Self.clusterWithTwoOperations()
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        func terminal(_ verb: String, as user: String, answer: String, gateway: String) async throws -> Terminal.Outcome {
            try await Terminal.run(cluster.binary, ["op", verb, "--gateway", gateway, "--as", cluster.credentialFile(user).path, "add-dave"],
                                   answering: answer, after: "Type \(verb) to sign with")
        }
        try await LyingGateway.with(upstream: cluster.baseURL, alter: LyingGateway.honest) { gateway, forwarded in
            // Not at a terminal and without --yes: nothing is signed.
            let piped = try await Terminal.runWithoutTerminal(cluster.binary, ["op", "approve", "--gateway", gateway, "--as",
                                                                            cluster.credentialFile("frank").path, "add-dave"])
            #expect(piped.status == 1)
            #expect(piped.output.contains("custos: not at a terminal: read the operation above and pass --yes (and --digest) to sign"),
                    "\(piped.output)")

            // frank answers something else than "approve": shown everything, signs nothing.
            let no = try await terminal("approve", as: "frank", answer: "no", gateway: gateway)
            #expect(no.beforeAnswer.contains("APPROVE operation add-dave"), "\(no.output)")
            #expect(no.beforeAnswer.contains("proposed by  erin"), "\(no.output)")
            #expect(no.beforeAnswer.contains("change       Add the person dave with the roles trader"), "\(no.output)")
            #expect(no.beforeAnswer.contains("Type approve to sign with \(cluster.credentialFile("frank").path):"), "\(no.output)")
            #expect(no.status == 1)
            #expect(no.output.contains("custos: not signed"), "\(no.output)")
            // grace answers "approve" to a rejection: that is not the verb, so nothing is signed.
            let wrongVerb = try await terminal("reject", as: "grace", answer: "approve", gateway: gateway)
            #expect(wrongVerb.beforeAnswer.contains("REJECT operation add-dave"), "\(wrongVerb.output)")
            #expect(wrongVerb.status == 1)
            #expect(wrongVerb.output.contains("custos: not signed"), "\(wrongVerb.output)")
            let refusedWrites = await forwarded.writes
            #expect(refusedWrites.isEmpty, "sent \(refusedWrites)")

            // Each answers with the verb: each signs, once.
            let yes = try await terminal("approve", as: "frank", answer: "approve", gateway: gateway)
            #expect(yes.status == 0, "\(yes.output)")
            #expect(yes.output.contains("queued as "), "\(yes.output)")
            let reject = try await terminal("reject", as: "grace", answer: "reject", gateway: gateway)
            #expect(reject.status == 0, "\(reject.output)")
            let writes = await forwarded.writes
            #expect(writes == ["POST /v1/operations/add-dave/approvals", "POST /v1/operations/add-dave/rejections"])
            // Both are timed: signed with this machine's clock and the review measured at the
            // terminal, as the output says.
            #expect(yes.output.contains("measured here and signed into the approval"), "\(yes.output)")
            for body in await forwarded.writtenBodies {
                let decision = try JSONDecoder().decode(DecisionMessage.self, from: body)
                #expect(decision.signedAt != nil && decision.reviewMillis != nil, "\(String(decoding: body, as: UTF8.self))")
            }
        }
        let statuses = try await cluster.waitForGovernance { g in
            g.operations.first { $0.id == "add-dave" }.map { $0.approvals == ["frank"] && $0.rejections == ["grace"] } ?? false
        }
        for (id, status) in statuses {
            #expect(status.governance?.refusals.contains { $0.operationId == "add-dave" } == false, "\(id)")
        }
        passed = true
    }
}
