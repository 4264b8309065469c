import ArgumentParser
import CustosPolicy
import CustosState
import Foundation

/// `custos inventory`: every key the cluster knows (vault keys, node keys, bot keys, people's
/// credentials) with purpose, holders, creation, last rotation and rotation due, from the
/// gateway's committed state. Overdue keys are marked; the exit code stays 0 (use `--json` and a
/// monitor, or the `keys_rotation_overdue` metrics, to alert).
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory", abstract: "List every key the cluster knows, with rotation due dates (table, --json or --csv).")

    @OptionGroup var connection: OperationCommand.Connection
    @Flag(help: "Print the gateway's JSON.") var json = false
    @Flag(help: "Print CSV (RFC 4180), one row per key.") var csv = false

    static let header = ["KIND", "OWNER", "ALGORITHM", "CLASS", "ENV", "HOLDERS", "CREATED", "LAST ROTATED", "ROTATION DUE", "STATUS",
                         "LAST USED", "PURPOSE", "DETAILS"]

    func validate() throws {
        if json && csv { throw ValidationError("choose --json or --csv, not both") }
    }

    func run() async throws {
        let call = GatewayCall(connection.gateway)
        if json { print(String(decoding: try await call.getRaw("/v1/inventory"), as: UTF8.self)); return }
        let inventory: KeyInventory = try await call.get("/v1/inventory")
        let rows = inventory.keys.map(Self.row)
        if csv {
            for row in [Self.header] + rows { print(row.map(Self.csvField).joined(separator: ",")) }
            return
        }
        print("key inventory at height \(inventory.height), block time \(Self.date(inventory.time))")
        printTable(header: Self.header, rows: rows)
        let overdue = inventory.overdue
        if !overdue.isEmpty {
            print("\(overdue.count) key\(overdue.count == 1 ? "" : "s") overdue for rotation: "
                  + overdue.map { "\($0.kind.rawValue) \($0.owner) (\($0.rotation?.rawValue ?? ""))" }.joined(separator: ", "))
        }
    }

    static func row(_ k: KeyInventory.Key) -> [String] {
        let status: String
        switch k.rotation {
        case .current: status = "ok"
        case .overdue: status = "OVERDUE"
        case .pastGrace: status = "PAST GRACE"
        case nil: status = "-"
        }
        var details = k.details.keys.sorted().map { "\($0)=\(k.details[$0]!)" }
        if !k.keyId.isEmpty { details.insert("id=\(k.keyId)", at: 0) }
        details.insert("fingerprint=\(k.fingerprint)", at: 0)
        if !k.roles.isEmpty { details.insert("roles=\(k.roles.joined(separator: " "))", at: 0) }
        return [k.kind.rawValue, k.owner, k.algorithm, k.keyClass?.rawValue ?? "-", k.environment ?? "-",
                k.holders.joined(separator: " "), k.createdAt.map(date) ?? "genesis", k.lastRotatedAt.map(date) ?? "never",
                k.rotationDueAt.map(date) ?? "-", status, k.lastUsedAt.map(date) ?? "-", k.purpose, details.joined(separator: "; ")]
    }

    /// A block time (milliseconds) as a UTC date and time to the minute.
    static func date(_ milliseconds: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return String(formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000)).prefix(16)) + "Z"
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
