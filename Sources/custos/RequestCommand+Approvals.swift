import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Foundation

extension RequestCommand {
    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a request held for approvals, after checking its content; several with one signature.",
            discussion: """
                With several ids (at most \(RequestBatchApproval.maximumRequests)), every request is checked and shown in full, \
                and one confirmation signs one approval of the whole list (request.approve-batch): every node applies it \
                to each request as a single approval, or refuses all of it.
                """)
        @OptionGroup var decision: Decision
        @Argument(help: "The request ids (SHA-256 of their signing inputs, hex).") var ids: [String]

        func run() async throws {
            if ids.count == 1 { try await decide(.approve, ids[0], decision) } else { try await approveTogether(ids, decision) }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a request held for approvals; it is then never signed.")
        @OptionGroup var decision: Decision
        @Argument(help: "The request id (SHA-256 of its signing input, hex).") var id: String

        func run() async throws { try await decide(.reject, id, decision) }
    }

    /// What `approve` and `reject` take: the gateway, the person's credential and the confirmation.
    struct Decision: ParsableArguments {
        @OptionGroup var connection: OperationCommand.Connection
        @OptionGroup var credential: OperationCommand.Credential
        @OptionGroup var confirmation: Confirmation
    }

    struct Confirmation: ParsableArguments {
        @Flag(help: "Sign without asking (scripts). Otherwise you confirm at a terminal after reading the request.")
        var yes = false
        /// A test cluster's shared clock offset (`UnsafeClockOffset`): the decision says it was
        /// signed at the block time its gateway and nodes use.
        @Option(help: .hidden) var unsafeTestClockOffsetFile: String?
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List decided requests, or with --pending those waiting for approvals.")
        @OptionGroup var connection: OperationCommand.Connection
        @Flag(help: "Only requests waiting for approvals.") var pending = false
        @Flag(help: "Print JSON.") var json = false

        /// Checks every listed request's content against its id (and the filter) before printing.
        func run() async throws {
            let raw = try await GatewayCall(connection.gateway).getRaw("/v1/requests" + (pending ? "?pending=true" : ""))
            let requests: [RequestView]
            do { requests = try JSONDecoder().decode([RequestView].self, from: raw) } catch { fail("the gateway sent no list of requests") }
            for r in requests {
                _ = r.checkedBody()
                if pending, r.approvals?.status != "pending" { fail("the gateway lists request \(printable(r.id)) among the pending ones, but it is not") }
            }
            if json { print(String(decoding: raw, as: UTF8.self)); return }
            var rows: [[String]] = []
            for r in requests {
                let approvals = r.approvals.map { a in "\(a.status) \(a.approvals.filter(\.counted).count)/\(a.approvals.count)" } ?? "-"
                let unmet = (r.approvals?.unmet ?? []).map { "\($0.count) of \($0.group)" }.joined(separator: ", ")
                rows.append([r.id, printable(r.initiator), r.outcome, approvals, unmet.isEmpty ? "-" : printable(unmet)])
            }
            printTable(header: ["REQUEST", "INITIATOR", "DECISION", "APPROVALS", "UNMET"], rows: rows)
        }
    }

    struct Flagged: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the request approvals every node flagged for review as hasty (policy approvals.hasty).")
        @OptionGroup var connection: OperationCommand.Connection
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let raw = try await GatewayCall(connection.gateway).getRaw("/v1/approvals/flagged")
            let flagged: [FlaggedApprovalView]
            do { flagged = try JSONDecoder().decode([FlaggedApprovalView].self, from: raw) } catch { fail("the gateway sent no list of flagged approvals") }
            if json { print(String(decoding: raw, as: UTF8.self)); return }
            let rows = flagged.map { f in
                [f.requestId, printable(f.user), UTCTime.text(Int64(f.at / 1000)), printable(f.reason),
                 f.reviewMillis.map(DecisionTiming.text) ?? "-", f.usd.map(printable) ?? "unknown"]
            }
            printTable(header: ["REQUEST", "APPROVER", "AT", "REASON", "REVIEW", "USD"], rows: rows)
        }
    }

    /// Fetches the request, checks that its content is the request named (`checkedBody`), that
    /// it is waiting for approvals, shows its decoded intent, the policy's explanation and its
    /// approvals, asks for confirmation — measuring the time from the request shown to the
    /// confirmation typed, the review — then signs the challenge derived locally from the id it
    /// checked, the cluster's genesis digest and the timing (the time of signing and the review;
    /// none with `--yes`, which shows nothing to a person), and submits.
    static func decide(_ act: RequestDecisionEntry.Act, _ id: String, _ d: Decision) async throws {
        let (connection, credentialFile) = (d.connection, d.credential.credentialFile)
        guard RequestDecisionEntry.isValidId(id) else { fail("a request id is 64 lowercase hex digits") }
        let call = GatewayCall(connection.gateway)
        let (cluster, genesis) = try await connection.cluster(call, pinned: CredentialStore.load(credentialFile).cluster, in: credentialFile)
        let word = act == .approve ? "approve" : "reject"
        say(try await shownPending(id, call, genesis: genesis, heading: "\(word.uppercased()) request \(id)").text)
        say("cluster     \(printable(cluster.name)), genesis \(genesis.hexString)")
        let timing = confirmedTiming(word, d, count: 1)
        var file = CredentialStore.load(credentialFile)
        let challenge = RequestDecisionEntry.challenge(act, requestId: id, genesisDigest: genesis, timing: timing)!
        let assertion = try makeAssertion(&file, challenge: challenge, path: credentialFile)
        let decision = DecisionMessage(user: file.user, assertion: assertion, timing: timing)
        let receipt: EntryReceipt = try await call.post("/v1/requests/\(id)/\(act == .approve ? "approvals" : "rejections")", decision)
        receipt.check(signed: try decision.entry(requestId: id, act: act), what: act == .approve ? "approval" : "rejection")
        print("queued as \(receipt.queued)" + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
    }

    /// `approve` with several ids: each request checked and shown as one is; the list one every
    /// node accepts as a batch (`ReplicatedState.batchRefusal(of:)` at the gateway's committed
    /// state, `GET /v1/request-batches/refusal`; every node checks it again) — otherwise nothing
    /// is signed and the refusal names every request refused and why; one
    /// confirmation (its review measured over the whole list), one assertion over
    /// `RequestBatchApproval.challenge` of the ids in the order given, submitted as one
    /// `request.approve-batch` entry.
    static func approveTogether(_ ids: [String], _ d: Decision) async throws {
        if let problem = RequestBatchApproval.problem(with: ids) { fail(problem) }
        let (connection, credentialFile) = (d.connection, d.credential.credentialFile)
        let call = GatewayCall(connection.gateway)
        let (cluster, genesis) = try await connection.cluster(call, pinned: CredentialStore.load(credentialFile).cluster, in: credentialFile)
        for (index, id) in ids.enumerated() {
            let shown = try await shownPending(id, call, genesis: genesis, heading: "APPROVE \(index + 1) of \(ids.count): request \(id)")
            say(shown.text + "\n")
        }
        // What every node's transition would say of the list (review helper-55 L-a), asked of
        // the gateway's committed state: nothing is signed for a batch the nodes refuse.
        let check: BatchRefusalView = try await call.get("/v1/request-batches/refusal?ids=" + ids.joined(separator: ","))
        if let refusal = check.refusal {
            // The gateway's text, made printable part by part (the dashes between requests kept).
            fail("not signed: \(refusal.components(separatedBy: " — ").map(printable).joined(separator: " — ")). "
                + "Approve each with `custos request approve ID` after reading it")
        }
        say("cluster     \(printable(cluster.name)), genesis \(genesis.hexString)")
        let timing = confirmedTiming("approve", d, count: ids.count)
        var file = CredentialStore.load(credentialFile)
        let challenge = RequestBatchApproval.challenge(requestIds: ids, genesisDigest: genesis, timing: timing)!
        let assertion = try makeAssertion(&file, challenge: challenge, path: credentialFile)
        let entry = try RequestBatchApproval(requestIds: ids, user: file.user, assertion: assertion, timing: timing).entry()
        let receipt: EntryReceipt = try await call.post(
            "/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))
        receipt.check(signed: entry, what: "approval of \(ids.count) requests")
        print("queued as \(receipt.queued)" + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
    }

    /// Fetches request `id`, checks that its content is the request named (`checkedBody`) and
    /// that it waits for approvals, and answers it in lines — its decoded intent, the policy's
    /// explanation, what is unusual about it and its approvals, under `heading` — with the view.
    static func shownPending(_ id: String, _ call: GatewayCall, genesis: [UInt8], heading: String) async throws -> (text: String, view: RequestView) {
        guard RequestDecisionEntry.isValidId(id) else { fail("a request id is 64 lowercase hex digits: \(printable(id))") }
        let r: RequestView = try await call.get("/v1/requests/\(id)")
        let body = r.checkedBody(asked: id, cluster: genesis.hexString)
        guard let approvals = r.approvals else { fail("request \(id) was decided \(printable(r.outcome)) without approvals; nothing to decide") }
        guard approvals.status == "pending" else { fail("request \(id) is \(printable(approvals.status)); nothing to decide") }
        let lines = [
            heading,
            "initiator   \(printable(r.initiator)) (\(printable(r.initiatorKind)))",
        ] + RequestView.intent(of: body) + [
            "decision    \(printable(r.outcome)) under policy version \(r.policyVersion)",
        ] + r.explanation.map { "            \(printable($0))" } + (approvals.unusual ?? []).map { "unusual     \(printable($0))" } + showApprovals(approvals)
        return (lines.joined(separator: "\n"), r)
    }

    /// The timing of a decision of `count` requests shown above (`DecisionTiming.confirmed`:
    /// the person types `word`, the review measured; nothing measured with `--yes`), said.
    static func confirmedTiming(_ word: String, _ d: Decision, count: Int) -> DecisionTiming {
        let timing = DecisionTiming.confirmed(
            word, with: d.credential.credentialFile, yes: d.confirmation.yes,
            notAtTerminal: "not at a terminal: read the request\(count == 1 ? "" : "s") above and pass --yes to sign",
            clockOffset: d.confirmation.unsafeTestClockOffsetFile.map(UnsafeClockOffset.init(path:)))
        say(timing.reviewMillis.map { "review      \(DecisionTiming.text($0)), measured here and signed into the \(word == "approve" ? "approval" : "rejection")" }
            ?? "review      not measured (--yes): a large request's approval is flagged for review where the policy asks")
        return timing
    }

    /// The approvals of a request in lines: status and expiry, who approved (counted or not) and
    /// who rejected, when, and what is still needed.
    static func showApprovals(_ a: RequestApprovalsView) -> [String] {
        var lines = ["approvals   \(printable(a.status)), expires \(Date(timeIntervalSince1970: Double(a.expiresAt) / 1000))"]
        for d in a.approvals {
            var notes = d.counted ? [] : ["not counted"]
            if d.beyondLimit == true { notes.append("beyond the approver's hourly limit") }
            if let flag = d.flagged { notes.append("flagged \(printable(flag))") }
            notes.append("review " + (d.reviewMillis.map(DecisionTiming.text) ?? "not measured"))
            lines.append("  approved  \(printable(d.user)) at height \(d.height) (\(Date(timeIntervalSince1970: Double(d.at) / 1000))), "
                + notes.joined(separator: ", "))
        }
        if let d = a.rejection {
            lines.append("  rejected  \(printable(d.user)) at height \(d.height) (\(Date(timeIntervalSince1970: Double(d.at) / 1000)))")
        }
        for u in a.unmet { lines.append("  needs     \(u.count) more from \(printable(u.group)) (rule \(printable(u.rule)))") }
        if a.status == "pending" { lines.append("  eligible  \(a.eligible.map(printable).joined(separator: ", "))") }
        return lines
    }
}
