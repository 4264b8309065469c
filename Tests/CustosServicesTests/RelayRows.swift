import CustosCore
import CustosTestSupport
import Foundation
import GRDB

/// The relay's rows as the gateway stored them, read and altered in the database directly (not
/// through a store): what an operator of the gateway's database sees and can do.
struct RelayRows {
    struct Row: Equatable {
        var recipient: String
        var sender: String
        var round: Int
        var sessionID: [UInt8]
        var envelope: [UInt8]
    }

    let database: SharedDatabase

    /// Every stored row, oldest first.
    func all() async throws -> [Row] {
        switch database.backend {
        case .sqlite:
            return try await DatabaseQueue(path: database.sqlitePath).read { db in
                try GRDB.Row.fetchAll(db, sql: "SELECT recipient, sender, round, sessionID, envelope FROM relayMessage ORDER BY id").map {
                    let sessionID: Data = $0["sessionID"]
                    let envelope: Data = $0["envelope"]
                    return Row(recipient: $0["recipient"], sender: $0["sender"], round: $0["round"], sessionID: Array(sessionID),
                               envelope: Array(envelope))
                }
            }
        case .postgres:
            let text = try await postgres("""
                SELECT recipient || ' ' || sender || ' ' || round || ' ' || encode(session_id, 'hex') || ' ' || encode(envelope, 'hex')
                FROM relay_message ORDER BY id
                """)
            return try text.split(separator: "\n").map { line in
                let fields = line.split(separator: " ").map(String.init)
                return Row(recipient: fields[0], sender: fields[1], round: Int(fields[2]) ?? -1, sessionID: try [UInt8](hex: fields[3]),
                           envelope: try [UInt8](hex: fields[4]))
            }
        }
    }

    /// Flips the lowest bit of the byte at `offset` of the envelope stored for `recipient` in `round`.
    func flipByte(at offset: Int, recipient: String, round: Int) async throws {
        switch database.backend {
        case .sqlite:
            try await DatabaseQueue(path: database.sqlitePath).write { db in
                let filter = "WHERE recipient = ? AND round = ?"
                guard let stored = try Data.fetchOne(db, sql: "SELECT envelope FROM relayMessage " + filter, arguments: [recipient, round]) else {
                    return
                }
                var bytes = Array(stored)
                bytes[offset] ^= 1
                try db.execute(sql: "UPDATE relayMessage SET envelope = ? " + filter, arguments: [Data(bytes), recipient, round])
            }
        case .postgres:
            try await postgres("""
                UPDATE relay_message SET envelope = set_byte(envelope, \(offset), get_byte(envelope, \(offset)) # 1)
                WHERE recipient = '\(recipient)' AND round = \(round)
                """)
        }
    }

    @discardableResult
    private func postgres(_ sql: String) async throws -> String {
        guard let server = database.server else { return "" }
        return try await server.psql(sql, database: "gateway")
    }
}
