import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosState
import Foundation

/// `custos request submit`: a bot signs a request (RFC 8785 canonical JSON with its id, a
/// timestamp and a fresh nonce) and submits it; every node verifies it and decides it with the
/// policy in force (see `GET /v1/requests`). `custos request show` prints one decided request
/// with its approvals and its signature once a vault made it; `list` lists them (`--pending`:
/// those waiting for approvals); `approve` and `reject` decide one held for approvals, with a
/// development software credential, after checking its content against its id; `flagged` lists
/// the approvals every node flagged as hasty.
struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Submit signed requests (development bot keys), approve or reject those held for approvals, and show how they were decided and signed.",
        subcommands: [Submit.self, Transfer.self, Call.self, Deploy.self, Simulate.self, Parameters.self, Show.self, List.self, Approve.self, Reject.self, Flagged.self])

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign a request body with a bot's key and submit it.")

        @OptionGroup var connection: OperationCommand.Connection
        @Option(help: "The bot's key file (credentials/<bot>.bot.json).") var bot: String
        @Argument(help: "The request body (JSON), e.g. examples/policies/requests/risk-bot-kraken.json.") var body: String

        func run() async throws {
            let (file, key) = BotKeyFile.load(bot)
            guard let bodyData = FileManager.default.contents(atPath: body) else { fail("cannot read \(body)") }
            let value: JSONValue
            do { value = try JSONParser().parse(Array(bodyData)) } catch { fail("\(body) is not JSON: \(error.reason)") }
            let call = GatewayCall(connection.gateway)
            let (_, genesis) = try await connection.cluster(call, pinned: file.cluster, in: bot)
            let signed = SignedRequest(body: value, cluster: genesis, keyId: file.bot, timestamp: Int64(Date().timeIntervalSince1970 * 1000),
                                       nonce: Base64URL.encode(SecureRandom.bytes(count: 18)), key: key)
            let receipt: EntryReceipt = try await call.post(raw: "/v1/requests", Data(signed.jsonBytes))
            receipt.check(signed: try RequestEntry.submit(signed), what: "request")
            print("submitted as \(file.bot)" + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
            print("request \(Hashes.sha256(signed.signingInput).hexString)")
        }
    }

    /// Where a request stands, in one phrase: denied; waiting for, rejected or expired in its
    /// approvals; then its transaction's status (a transfer or call) or its signing's (a message).
    static func status(of r: RequestView) -> String {
        if r.outcome == "deny" { return "denied" }
        if let a = r.approvals, a.status != "approved" { return a.status == "pending" ? "awaiting approvals" : printable(a.status) }
        if let t = r.transaction { return t.status + (t.transactionHash.map { ", transaction \($0)" } ?? "") }
        if let s = r.signing { return s.status }
        return r.allowed ? "allowed" : printable(r.outcome)
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a decided request and, once a vault signed it, the signature.")
        @OptionGroup var connection: OperationCommand.Connection
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The request id (SHA-256 of its signing input, hex).") var id: String

        func run() async throws {
            let call = GatewayCall(connection.gateway)
            let path = "/v1/requests/\(percentEncoded(id))"
            if json { print(String(decoding: try await call.getRaw(path), as: UTF8.self)); return }
            let r: RequestView = try await call.get(path)
            let body = r.checkedBody(asked: id, cluster: connection.genesis)
            var lines = [
                "request     \(r.id)",
                "initiator   \(printable(r.initiator))",
            ] + RequestView.intent(of: body) + [
                "status      \(RequestCommand.status(of: r))",
                "decision    \(r.outcome) under policy version \(r.policyVersion)" + (r.rules.isEmpty ? "" : " (\(r.rules.map(printable).joined(separator: ", ")))"),
            ] + r.explanation.map { "            \(printable($0))" }
            if let approvals = r.approvals { lines += RequestCommand.showApprovals(approvals) }
            if let s = r.signing {
                lines.append("vault       \(s.vault) (epoch \(s.epoch)), \(s.status), attempt \(s.attempt)" + (s.signers.isEmpty ? "" : " by \(s.signers.joined(separator: ", "))"))
                lines.append("signs       \(s.message)")
                if let signature = s.signature {
                    lines.append("signature   \(signature)")
                    lines.append("            submitted by \(s.signedBy ?? "?") at height \(s.signedHeight.map(String.init) ?? "?"), verified by every node")
                }
                if let failure = s.failure { lines.append("failed      \(printable(failure))") }
                for b in s.blames { lines.append("blamed      \(b.culprit) in attempt \(b.attempt): \(printable(b.reason))") }
            }
            if let t = r.transaction { lines += RequestCommand.showTransaction(t) }
            print(lines.joined(separator: "\n"))
        }
    }
}
