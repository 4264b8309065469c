import ArgumentParser
import CustosClusterAPI

/// `custos alerts`: every alert the nodes raised in the gateway's committed state (a receipt that
/// differs from its intent, a reverted transaction, an overdue receipt, a receipt the nodes'
/// own reading of the chain disputes, an event the policy's `monitoring` section watches), oldest
/// first. A monitoring alert shows its contract, block and decoded fields under CODES.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "List the alerts the nodes raised: receipt mismatches, reverted and overdue transactions, disputed receipts, monitored chain events (table or --json).")

    @OptionGroup var connection: OperationCommand.Connection
    @Flag(help: "Print the gateway's JSON.") var json = false

    static let header = ["ID", "KIND", "BASIS", "RAISED", "HEIGHT", "CHAIN", "VAULT", "REQUEST", "TRANSACTION", "CODES", "NODES"]

    func run() async throws {
        let call = GatewayCall(connection.gateway)
        if json { print(String(decoding: try await call.getRaw("/v1/alerts"), as: UTF8.self)); return }
        let alerts: [AlertView] = try await call.get("/v1/alerts")
        guard !alerts.isEmpty else { print("no alerts"); return }
        printTable(header: Self.header, rows: alerts.map(Self.row))
    }

    static func row(_ a: AlertView) -> [String] {
        [String(a.id), a.kind, a.basis, InventoryCommand.date(a.blockTime), String(a.height), printable(a.chain), printable(a.vault),
         String(a.request.prefix(16)), a.transactionHash.map { String($0.prefix(18)) } ?? "-", Self.details(a),
         a.members.isEmpty ? "-" : a.members.map { printable($0) }.joined(separator: " ")]
    }

    /// A receipt alert's codes, or a monitoring alert's contract, block and fields.
    static func details(_ a: AlertView) -> String {
        if let e = a.event {
            let fields = e.fields.keys.sorted().map { "\($0)=\(printable(e.fields[$0]!))" }
            return ((e.contract.isEmpty ? [] : [printable(e.contract)]) + ["block \(e.block)"] + fields).joined(separator: " ")
        }
        return a.codes.isEmpty ? "-" : a.codes.joined(separator: " ")
    }
}
