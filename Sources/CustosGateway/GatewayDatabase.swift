import CustosLedger
import Foundation
import GRDB

/// The gateway's durable store in SQLite (WAL, synchronous=FULL): queued entries, the
/// sequencer state (committed head and the proposal in flight, written before the proposal is
/// sent), and committed certified blocks. The gateway holds no secret; this store matters for
/// liveness and for not losing a committed entry across a crash.
public final class GatewayDatabase: Sendable {
    private let writer: any DatabaseWriter

    public convenience init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        try self.init(writer: DatabasePool(path: path, configuration: configuration))
    }

    public static func inMemory() throws -> GatewayDatabase { try GatewayDatabase(writer: DatabaseQueue()) }

    private init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
    }

    /// Migrations are registered by name and never edited once shipped.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: queue, sequencer state, blocks") { db in
            try db.create(table: "queuedEntry") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("payload", .blob).notNull()
                t.column("authorization", .blob).notNull()
            }
            try db.create(table: "sequencerState") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("state", .blob).notNull()
            }
            try db.create(table: "committedBlock") { t in
                t.primaryKey("height", .integer)
                t.column("hash", .blob).notNull().unique()
                t.column("block", .blob).notNull()
                t.column("certificate", .blob).notNull()
            }
        }
        migrator.registerMigration("v2: committed entries by digest") { db in
            try db.create(table: "committedEntry") { t in
                t.primaryKey("digest", .blob)
                t.column("height", .integer).notNull().references("committedBlock", column: "height")
                t.column("position", .integer).notNull()
            }
            // Blocks committed before this index existed.
            for bytes in try Data.fetchAll(db, sql: "SELECT block FROM committedBlock ORDER BY height") {
                try Self.indexEntries(of: try Block(serialized: Array(bytes)), db)
            }
        }
        return migrator
    }

    /// Appends an entry to the queue; returns its queue id.
    public func enqueue(_ entry: Entry) throws -> Int64 {
        try writer.write { db in
            try db.execute(sql: "INSERT INTO queuedEntry (kind, payload, authorization) VALUES (?, ?, ?)",
                           arguments: [entry.kind, Data(entry.payload), Data(entry.authorization)])
            return db.lastInsertedRowID
        }
    }

    /// The oldest queued entries, at most `limit`.
    public func queued(limit: Int) throws -> [(id: Int64, entry: Entry)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, kind, payload, authorization FROM queuedEntry ORDER BY id LIMIT ?",
                             arguments: [limit]).map { row in
                let id: Int64 = row["id"]
                let kind: String = row["kind"]
                let payload: Data = row["payload"]
                let authorization: Data = row["authorization"]
                return (id: id, entry: try Entry(kind: kind, payload: Array(payload), authorization: Array(authorization)))
            }
        }
    }

    public func queuedCount() throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM queuedEntry") ?? 0 }
    }

    /// The stored sequencer state, nil at first start.
    public func sequencerState() throws -> SequencerState? {
        try writer.read { db in
            guard let bytes = try Data.fetchOne(db, sql: "SELECT state FROM sequencerState WHERE id = 1") else { return nil }
            return try SequencerState(serialized: Array(bytes))
        }
    }

    /// Stores a new proposal (inside `state`) and removes the entries it carries from the
    /// queue, in one transaction that commits before the proposal is sent to any node.
    public func storeProposal(_ state: SequencerState, consumed: [Int64]) throws {
        try writer.write { db in
            try Self.saveState(state, db)
            for id in consumed {
                try db.execute(sql: "DELETE FROM queuedEntry WHERE id = ?", arguments: [id])
            }
        }
    }

    /// Stores a certified block with the advanced sequencer state and its entries' digests, in
    /// one transaction.
    public func storeCommitted(_ certified: CertifiedBlock, state: SequencerState) throws {
        try writer.write { db in
            try db.execute(sql: "INSERT INTO committedBlock (height, hash, block, certificate) VALUES (?, ?, ?, ?)",
                           arguments: [Int64(certified.block.height), Data(certified.block.hash.bytes),
                                       Data(certified.block.serialized), Data(certified.certificate.serialized)])
            try Self.indexEntries(of: certified.block, db)
            try Self.saveState(state, db)
        }
    }

    /// The certified block at `height`, nil if none is committed there.
    public func committedBlock(height: UInt64) throws -> CertifiedBlock? {
        guard height <= UInt64(Int64.max) else { return nil }
        return try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT block, certificate FROM committedBlock WHERE height = ?",
                                             arguments: [Int64(height)]) else { return nil }
            let block: Data = row["block"]
            let certificate: Data = row["certificate"]
            return CertifiedBlock(block: try Block(serialized: Array(block)),
                                  certificate: try QuorumCertificate(serialized: Array(certificate)))
        }
    }

    private static func saveState(_ state: SequencerState, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO sequencerState (id, state) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state",
                       arguments: [Data(state.serialized)])
    }

    // MARK: Batched queueing and the committed-entry index

    /// Appends entries to the queue in one transaction (one fsync for all); returns their queue
    /// ids in order. Nothing is queued if any insert fails.
    public func enqueue(_ entries: [Entry]) throws -> [Int64] {
        try writer.write { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO queuedEntry (kind, payload, authorization) VALUES (?, ?, ?)")
            return try entries.map { entry in
                try statement.execute(arguments: [entry.kind, Data(entry.payload), Data(entry.authorization)])
                return db.lastInsertedRowID
            }
        }
    }

    /// Where the entry with `digest` first committed, nil if it has not.
    public func committedEntry(digest: LedgerHash) throws -> CommittedEntry? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT height, position FROM committedEntry WHERE digest = ?",
                                             arguments: [Data(digest.bytes)]) else { return nil }
            let height: Int64 = row["height"]
            let position: Int64 = row["position"]
            return CommittedEntry(height: UInt64(height), index: Int(position))
        }
    }

    /// Indexes a committed block's entries by digest; a digest already indexed keeps its first height.
    private static func indexEntries(of block: Block, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO committedEntry (digest, height, position) VALUES (?, ?, ?)")
        for (position, entry) in block.entries.enumerated() {
            try statement.execute(arguments: [Data(entry.digest.bytes), Int64(block.height), Int64(position)])
        }
    }
}
