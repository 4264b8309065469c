import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosState
import Foundation

extension RequestCommand {
    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a request held for approvals, after checking its content.")
        @OptionGroup var decision: Decision

        func run() async throws { try await decide(.approve, decision) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a request held for approvals; it is then never signed.")
        @OptionGroup var decision: Decision

        func run() async throws { try await decide(.reject, decision) }
    }

    /// What `approve` and `reject` take: the gateway, the person's credential, the confirmation
    /// and the request.
    struct Decision: ParsableArguments {
        @OptionGroup var connection: OperationCommand.Connection
        @OptionGroup var credential: OperationCommand.Credential
        @OptionGroup var confirmation: Confirmation
        @Argument(help: "The request id (SHA-256 of its signing input, hex).") var id: String
    }

    struct Confirmation: ParsableArguments {
        @Flag(help: "Sign without asking (scripts). Otherwise you confirm at a terminal after reading the request.")
        var yes = false
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

    /// Fetches the request, checks that its content is the request named (`checkedBody`), that
    /// it is waiting for approvals, shows its decoded intent, the policy's explanation and its
    /// approvals, asks for confirmation, then signs the challenge derived locally from the id it
    /// checked and the cluster's genesis digest, and submits.
    static func decide(_ act: RequestDecisionEntry.Act, _ d: Decision) async throws {
        let (id, connection, credentialFile, confirmation) = (d.id, d.connection, d.credential.credentialFile, d.confirmation)
        guard RequestDecisionEntry.isValidId(id) else { fail("a request id is 64 lowercase hex digits") }
        let call = GatewayCall(connection.gateway)
        let r: RequestView = try await call.get("/v1/requests/\(id)")
        let (cluster, genesis) = try await connection.cluster(call, pinned: CredentialStore.load(credentialFile).cluster, in: credentialFile)
        let body = r.checkedBody(asked: id, cluster: genesis.hexString)
        guard let approvals = r.approvals else { fail("request \(id) was decided \(printable(r.outcome)) without approvals; nothing to decide") }
        guard approvals.status == "pending" else { fail("request \(id) is \(printable(approvals.status)); nothing to decide") }
        let word = act == .approve ? "approve" : "reject"
        say(([
            "\(word.uppercased()) request \(id)",
            "initiator   \(printable(r.initiator)) (\(printable(r.initiatorKind)))",
        ] + RequestView.intent(of: body) + [
            "decision    \(printable(r.outcome)) under policy version \(r.policyVersion)",
        ] + r.explanation.map { "            \(printable($0))" } + showApprovals(approvals) + [
            "cluster     \(printable(cluster.name)), genesis \(genesis.hexString)",
        ]).joined(separator: "\n"))
        if !confirmation.yes {
            guard isatty(STDIN_FILENO) == 1 else { fail("not at a terminal: read the request above and pass --yes to sign") }
            say("Type \(word) to sign with \(credentialFile):")
            guard readLine()?.trimmingCharacters(in: .whitespaces) == word else { fail("not signed") }
        }
        var file = CredentialStore.load(credentialFile)
        let challenge = RequestDecisionEntry.challenge(act, requestId: id, genesisDigest: genesis)!
        let assertion = try makeAssertion(&file, challenge: challenge, path: credentialFile)
        let decision = DecisionMessage(user: file.user, assertion: assertion)
        let receipt: EntryReceipt = try await call.post("/v1/requests/\(id)/\(act == .approve ? "approvals" : "rejections")", decision)
        receipt.check(signed: try decision.entry(requestId: id, act: act), what: act == .approve ? "approval" : "rejection")
        print("queued as \(receipt.queued)" + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
    }

    /// The approvals of a request in lines: status and expiry, who approved (counted or not) and
    /// who rejected, when, and what is still needed.
    static func showApprovals(_ a: RequestApprovalsView) -> [String] {
        var lines = ["approvals   \(printable(a.status)), expires \(Date(timeIntervalSince1970: Double(a.expiresAt) / 1000))"]
        for d in a.approvals {
            lines.append("  approved  \(printable(d.user)) at height \(d.height) (\(Date(timeIntervalSince1970: Double(d.at) / 1000)))" + (d.counted ? "" : ", not counted"))
        }
        if let d = a.rejection {
            lines.append("  rejected  \(printable(d.user)) at height \(d.height) (\(Date(timeIntervalSince1970: Double(d.at) / 1000)))")
        }
        for u in a.unmet { lines.append("  needs     \(u.count) more from \(printable(u.group)) (rule \(printable(u.rule)))") }
        if a.status == "pending" { lines.append("  eligible  \(a.eligible.map(printable).joined(separator: ", "))") }
        return lines
    }
}
