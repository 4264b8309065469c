import CustosCore
import CustosLedger
import Foundation
import GRDB

/// The gateway's store in SQLite (WAL, synchronous=FULL; relay messages NORMAL, see
/// `relayWrite`), the embedded default. Sequencer writes
/// run in IMMEDIATE transactions that check `SequencerSuccession` first, so several handles on one
/// file (several processes) behave like gateways sharing one PostgreSQL database. The gateway
/// holds no secret; this store matters for liveness and for not losing a committed entry across
/// a crash.
public final class SQLiteGatewayStore: GatewayStore {
    private let writer: any DatabaseWriter

    public convenience init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets synchronous = NORMAL on the writer when it turns WAL on (after any
        // `prepareDatabase`): FULL is set on the open pool's writer.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try self.init(writer: pool)
    }

    public static func inMemory() throws -> SQLiteGatewayStore { try SQLiteGatewayStore(writer: DatabaseQueue()) }

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
        migrator.registerMigration("v3: relay messages") { db in
            try db.create(table: "relayMessage") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("recipient", .text).notNull()
                t.column("sessionID", .blob).notNull()
                t.column("round", .integer).notNull()
                t.column("sender", .text).notNull()
                t.column("envelope", .blob).notNull()
                t.column("digest", .blob).notNull()
                t.column("created", .integer).notNull()
                t.column("expires", .integer).notNull().indexed()
                t.uniqueKey(["recipient", "digest"])
            }
            try db.create(index: "relayMessageByRecipient", on: "relayMessage", columns: ["recipient", "id"])
        }
        return migrator
    }

    public func enqueue(_ entries: [Entry]) async throws -> [Int64] {
        try await writer.write { db in
            let statement = try db.cachedStatement(sql: "INSERT INTO queuedEntry (kind, payload, authorization) VALUES (?, ?, ?)")
            return try entries.map { entry in
                try statement.execute(arguments: [entry.kind, Data(entry.payload), Data(entry.authorization)])
                return db.lastInsertedRowID
            }
        }
    }

    public func committedEntry(digest: LedgerHash) async throws -> CommittedEntry? {
        try await writer.read { db in
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

    public func queued(limit: Int) async throws -> [QueuedEntry] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, kind, payload, authorization FROM queuedEntry ORDER BY id LIMIT ?",
                             arguments: [limit]).map { row in
                let id: Int64 = row["id"]
                let kind: String = row["kind"]
                let payload: Data = row["payload"]
                let authorization: Data = row["authorization"]
                return QueuedEntry(id: id, entry: try Entry(kind: kind, payload: Array(payload), authorization: Array(authorization)))
            }
        }
    }

    public func queuedCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM queuedEntry") ?? 0 }
    }

    public func sequencerState() async throws -> SequencerState? {
        try await writer.read { db in try Self.loadState(db) }
    }

    public func storeProposal(_ state: SequencerState, consumed: [Int64]) async throws -> GatewayStoreWrite {
        try await immediateTransaction { db in
            let stored = try Self.loadState(db)
            guard SequencerSuccession.allowsProposal(state, over: stored) else { return try .refusing(state, over: stored) }
            try Self.saveState(state, db)
            for id in consumed {
                try db.execute(sql: "DELETE FROM queuedEntry WHERE id = ?", arguments: [id])
                // An entry already gone was carried by another proposal: do not carry it twice.
                guard db.changesCount == 1 else { throw ConsumedElsewhere() }
            }
            return .stored
        }
    }

    public func storeCommitted(_ certified: CertifiedBlock, state: SequencerState) async throws -> GatewayStoreWrite {
        try await immediateTransaction { db in
            let stored = try Self.loadState(db)
            guard SequencerSuccession.allowsCommit(certified, state: state, over: stored) else { return try .refusing(state, over: stored) }
            try db.execute(sql: "INSERT INTO committedBlock (height, hash, block, certificate) VALUES (?, ?, ?, ?)",
                           arguments: [Int64(certified.block.height), Data(certified.block.hash.bytes),
                                       Data(certified.block.serialized), Data(certified.certificate.serialized)])
            try Self.indexEntries(of: certified.block, db)
            try Self.saveState(state, db)
            return .stored
        }
    }

    public func committedBlock(height: UInt64) async throws -> CertifiedBlock? {
        try await committedBlocks(from: height, limit: 1).first
    }

    public func committedBlocks(from height: UInt64, limit: Int) async throws -> [CertifiedBlock] {
        guard height <= UInt64(Int64.max), limit > 0 else { return [] }
        let rows = try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT height, block, certificate FROM committedBlock WHERE height >= ? ORDER BY height LIMIT ?",
                             arguments: [Int64(height), limit])
                .map { row -> (height: Int64, block: Data, certificate: Data) in (row["height"], row["block"], row["certificate"]) }
        }
        return try Self.contiguous(rows, from: height)
    }

    public func storeRelayMessages(_ messages: [RelayMessage], limits: RelayLimits, now: UInt64) async throws -> RelayWrite {
        try await relayWrite { db in
            try db.execute(sql: "DELETE FROM relayMessage WHERE expires <= ?", arguments: [Int64(clamping: now)])
            let held = { (filter: String, arguments: StatementArguments) throws -> RelayHeld in
                guard let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), COALESCE(SUM(LENGTH(envelope)), 0) FROM relayMessage" + filter,
                                                 arguments: arguments) else { return RelayHeld(messages: 0, bytes: 0) }
                let messages: Int = row[0]
                let bytes: Int = row[1]
                return RelayHeld(messages: messages, bytes: bytes)
            }
            var perRecipient: [String: RelayHeld] = [:]
            for recipient in Set(messages.map(\.recipient)) { perRecipient[recipient] = try held(" WHERE recipient = ?", [recipient]) }
            if let refusal = RelayHeld.refusal(of: messages, limits: limits, total: try held("", []), perRecipient: perRecipient) {
                return refusal
            }
            let statement = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO relayMessage (recipient, sessionID, round, sender, envelope, digest, created, expires)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for m in messages {
                try statement.execute(arguments: [m.recipient, Data(m.sessionID), Int64(m.round), m.sender, Data(m.envelope),
                                                  Data(m.digest), Int64(clamping: m.created), Int64(clamping: m.expires)])
            }
            return RelayWrite.stored
        }
    }

    public func relayInbox(of recipient: String, after cursor: Int64, now: UInt64, limit: Int) async throws -> [QueuedRelayMessage] {
        try await relayWrite { db in
            try db.execute(sql: "DELETE FROM relayMessage WHERE recipient = ? AND id <= ?", arguments: [recipient, cursor])
            try db.execute(sql: "DELETE FROM relayMessage WHERE expires <= ?", arguments: [Int64(clamping: now)])
            return try Row.fetchAll(db, sql: """
                SELECT id, sessionID, round, sender, envelope, created, expires FROM relayMessage
                WHERE recipient = ? AND id > ? ORDER BY id LIMIT ?
                """, arguments: [recipient, cursor, max(0, limit)]).map { row in
                let sessionID: Data = row["sessionID"]
                let round: Int64 = row["round"]
                let envelope: Data = row["envelope"]
                let created: Int64 = row["created"]
                let expires: Int64 = row["expires"]
                return QueuedRelayMessage(cursor: row["id"], message: RelayMessage(
                    sessionID: Array(sessionID), round: UInt16(clamping: round), sender: row["sender"], recipient: recipient,
                    envelope: Array(envelope), created: UInt64(clamping: created), expires: UInt64(clamping: expires)))
            }
        }
    }

    /// Runs a relay write in one transaction committed without waiting for the disk (WAL with
    /// synchronous = NORMAL): it survives the gateway process being killed, not the machine
    /// losing power before a later synced commit or checkpoint. Relay messages only: one lost
    /// that way times its attempt out, as one a gateway drops does (the gateway is trusted for
    /// liveness only); everything else stays synchronous = FULL, restored before the writer is
    /// handed on.
    private func relayWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            let result = Result { () throws -> T in
                var value: T?
                try db.inTransaction {
                    value = try body(db)
                    return .commit
                }
                guard let value else { throw GatewayStoreError(.inconsistent, "a relay write returned nothing") }
                return value
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return try result.get()
        }
    }

    /// The writer connection's `synchronous` setting (2 is FULL): what the next queue or
    /// sequencer write commits with.
    package func writerSynchronous() async throws -> Int {
        try await writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Decodes rows from `height` on, stopping at the first gap.
    static func contiguous(_ rows: [(height: Int64, block: Data, certificate: Data)], from height: UInt64) throws -> [CertifiedBlock] {
        var blocks: [CertifiedBlock] = []
        for row in rows {
            guard UInt64(row.height) == height + UInt64(blocks.count) else { break }
            blocks.append(CertifiedBlock(block: try Block(serialized: Array(row.block)),
                                         certificate: try QuorumCertificate(serialized: Array(row.certificate))))
        }
        return blocks
    }

    /// Runs `body` in a transaction that takes the write lock first (BEGIN IMMEDIATE), so a read
    /// inside it cannot be overtaken by another handle's write. `ConsumedElsewhere` rolls back and
    /// reports the stored state as a conflict.
    private func immediateTransaction(_ body: @escaping @Sendable (Database) throws -> GatewayStoreWrite) async throws -> GatewayStoreWrite {
        do {
            return try await writer.writeWithoutTransaction { db in
                var outcome = GatewayStoreWrite.stored
                try db.inTransaction(.immediate) {
                    outcome = try body(db)
                    return outcome == .stored ? .commit : .rollback
                }
                return outcome
            }
        } catch is ConsumedElsewhere {
            guard let stored = try await sequencerState() else { throw GatewayStoreError(.inconsistent, "queued entries vanished with no sequencer state stored") }
            return .conflict(stored: stored)
        }
    }

    private struct ConsumedElsewhere: Error {}

    private static func loadState(_ db: Database) throws -> SequencerState? {
        guard let bytes = try Data.fetchOne(db, sql: "SELECT state FROM sequencerState WHERE id = 1") else { return nil }
        return try SequencerState(serialized: Array(bytes))
    }

    private static func saveState(_ state: SequencerState, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO sequencerState (id, state) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET state = excluded.state",
                       arguments: [Data(state.serialized)])
    }
}
