import ArgumentParser
import CustosState
import Foundation

/// `custos user exit-report USER`: what an offboarded person had and did, from the gateway's
/// committed state (`GET /v1/users/{id}/exit-report`): their roles, credentials and access just
/// before, the bots they administered and those due for rotation, what was withdrawn in their
/// name, the monitoring window, and their requests, decisions and operations of the 90 days before.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "People: the exit report of an offboarded person.", subcommands: [ExitReportCommand.self])

    struct ExitReportCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "exit-report", abstract: "What an offboarded person had and did (aligned text, or --json).")

        @OptionGroup var connection: OperationCommand.Connection
        @Flag(help: "Print the gateway's JSON.") var json = false
        @Argument(help: "The offboarded person.") var user: String

        func run() async throws {
            let call = GatewayCall(connection.gateway)
            let path = "/v1/users/\(percentEncoded(user))/exit-report"
            if json { print(String(decoding: try await call.getRaw(path), as: UTF8.self)); return }
            let report: ExitReport = try await call.get(path)
            for line in Self.lines(report) { print(printable(line)) }
        }

        /// The report for people: a summary, then one aligned table per list.
        static func lines(_ r: ExitReport) -> [String] {
            let o = r.offboarding
            let date = InventoryCommand.date
            var lines = [
                "exit report of \(o.user): offboarded by operation \(o.operationId) at \(date(o.at)) (height \(o.height))",
                "roles:              \(o.roles.isEmpty ? "none" : o.roles.joined(separator: ", "))",
                "credentials:        \(o.credentials.isEmpty ? "none" : o.credentials.joined(separator: ", ")) (revoked)",
                "bots administered:  \(o.administeredBots.isEmpty ? "none" : o.administeredBots.joined(separator: ", "))",
                "keys due now:       \(o.botsDue.isEmpty ? "none" : o.botsDue.joined(separator: ", "))",
                "withdrawn requests: \(o.withdrawnRequests.isEmpty ? "none" : o.withdrawnRequests.joined(separator: ", "))",
                "withdrawn ops:      \(o.withdrawnOperations.isEmpty ? "none" : o.withdrawnOperations.joined(separator: ", "))",
                "monitoring:         " + (o.monitorUntil.map { "until \(date($0)): " + (o.monitoredDestinations.isEmpty ? "no destinations" : o.monitoredDestinations.joined(separator: ", ")) } ?? "none"),
            ]
            func table(_ title: String, _ header: [String], _ rows: [[String]]) {
                lines.append("")
                lines.append(rows.isEmpty ? "\(title): none" : "\(title):")
                if !rows.isEmpty { lines += tableLines(header: header, rows: rows) }
            }
            table("could do just before", ["WHAT", "AS"], o.access.map { [$0.title, $0.cell] })
            table("requests of the last \(r.days) days", ["ID", "AT", "KIND", "VAULT", "AMOUNT", "ASSET", "DESTINATION", "STATUS"],
                  r.requests.map { [String($0.id.prefix(16)), date($0.at), $0.kind, $0.vault, $0.amount, $0.asset, $0.destination, $0.status] })
            table("request decisions", ["ID", "AT", "ACT"], r.requestDecisions.map { [String($0.id.prefix(16)), date($0.at), $0.act] })
            table("operations proposed", ["ID", "AT", "ACTION", "TARGET", "STATUS"], r.operations.map { [$0.id, date($0.at), $0.action, $0.target, $0.status] })
            table("operation decisions", ["ID", "PROPOSED", "ACT"], r.operationDecisions.map { [$0.id, date($0.at), $0.act] })
            if !r.complete { lines += ["", "older requests of the period may have left the state; the log holds them all (custos audit export)"] }
            return lines
        }
    }
}
