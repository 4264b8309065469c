import CustosLedger
import Foundation
import GRDB

/// A node's committed chain in SQLite (WAL, synchronous=FULL): every applied certified block,
/// so the committed head survives a restart and the node can be inspected. A block and the head
/// it yields are one row, written in one transaction. Votes are not here: `NodeDatabase` records
/// them (and refuses a second vote at a height) before any vote leaves the node.
public final class NodeChainStore: Sendable {
    private let writer: any DatabaseWriter

    public init(path: String, readOnly: Bool = false) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.readonly = readOnly
        if !readOnly {
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        }
        writer = try DatabasePool(path: path, configuration: configuration)
        if !readOnly { try Self.migrator.migrate(writer) }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: committed blocks") { db in
            try db.create(table: "committedBlock") { t in
                t.primaryKey("height", .integer)
                t.column("hash", .blob).notNull().unique()
                t.column("timestamp", .integer).notNull()
                t.column("block", .blob).notNull()
                t.column("certificate", .blob).notNull()
            }
        }
        return migrator
    }

    /// The committed head, or the genesis head of `configuration` before the first block.
    public func head(_ configuration: ClusterConfiguration) throws -> ChainHead {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT height, hash, timestamp FROM committedBlock ORDER BY height DESC LIMIT 1")
            else { return .genesis(configuration) }
            let height: Int64 = row["height"]
            let hash: Data = row["hash"]
            let timestamp: Int64 = row["timestamp"]
            return ChainHead(height: UInt64(height), hash: try LedgerHash(bytes: hash), timestamp: UInt64(timestamp))
        }
    }

    /// Appends certified blocks (already checked by `NodeConsensus`) in one transaction.
    public func append(_ blocks: [CertifiedBlock]) throws {
        try writer.write { db in
            for certified in blocks {
                let b = certified.block
                try db.execute(sql: "INSERT INTO committedBlock (height, hash, timestamp, block, certificate) VALUES (?, ?, ?, ?, ?)",
                               arguments: [Int64(b.height), Data(b.hash.bytes), Int64(b.timestamp), Data(b.serialized),
                                           Data(certified.certificate.serialized)])
            }
        }
    }

    /// All committed blocks in height order.
    public func blocks() throws -> [CertifiedBlock] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT block, certificate FROM committedBlock ORDER BY height").map { row in
                let block: Data = row["block"]
                let certificate: Data = row["certificate"]
                return CertifiedBlock(block: try Block(serialized: Array(block)),
                                      certificate: try QuorumCertificate(serialized: Array(certificate)))
            }
        }
    }
}
