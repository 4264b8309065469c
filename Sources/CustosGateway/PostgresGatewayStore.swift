import CustosCore
import CustosLedger
import Foundation
import Logging
import PostgresNIO

/// The gateway's store in PostgreSQL, for several gateways sharing one database. One connection,
/// used by one request at a time, reopened after it breaks. Sequencer writes take a transaction
/// advisory lock, read the stored state and check `SequencerSuccession` before writing, so
/// gateways racing for one height store one proposal and never an older head. Commits are
/// durable when they return (PostgreSQL's default synchronous_commit).
///
/// The password, if any, is held in memory only: never in the URL, a log line or an error.
public actor PostgresGatewayStore: GatewayStore {
    private let location: PostgresLocation
    private let password: String?
    private let tls: PostgresConnection.Configuration.TLS
    private let logger: Logger
    private var connection: PostgresConnection?
    private let turns = AsyncSerialQueue()

    /// Connects (over TLS as `tls` says) and applies the migrations this build knows; fails
    /// naming the database (never the password) if it cannot connect, a certificate does not
    /// verify, or the schema is newer than this build.
    public init(location: PostgresLocation, password: String?, tls: PostgresTLS = .disable, logger: Logger) async throws {
        self.location = location
        self.password = password
        self.tls = try tls.configuration()
        self.logger = logger
        do {
            try await exclusively { connection in try await migrate(connection) }
        } catch {
            await close()
            throw error
        }
    }

    /// Closes the connection. Call once the gateway is done; the store reconnects if used again.
    public func close() async {
        await turns.enter()
        if let connection {
            try? await connection.close()
            self.connection = nil
        }
        await turns.leave()
    }

    // MARK: Schema

    /// Migrations are applied in order, recorded by name and never edited once shipped.
    static let migrations: [(name: String, statements: [String])] = [
        ("v1: queue, sequencer state, blocks", [
            """
            CREATE TABLE queued_entry (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind TEXT NOT NULL,
                payload BYTEA NOT NULL,
                entry_authorization BYTEA NOT NULL)
            """,
            "CREATE TABLE sequencer_state (id INTEGER PRIMARY KEY CHECK (id = 1), state BYTEA NOT NULL)",
            """
            CREATE TABLE committed_block (
                height BIGINT PRIMARY KEY CHECK (height > 0),
                hash BYTEA NOT NULL UNIQUE,
                block BYTEA NOT NULL,
                certificate BYTEA NOT NULL)
            """,
        ]),
        ("v2: committed entries by digest", [
            """
            CREATE TABLE committed_entry (
                digest BYTEA PRIMARY KEY,
                height BIGINT NOT NULL REFERENCES committed_block (height),
                position INTEGER NOT NULL)
            """,
        ]),
        ("v3: relay messages", [
            """
            CREATE TABLE relay_message (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                recipient TEXT NOT NULL,
                session_id BYTEA NOT NULL,
                round INTEGER NOT NULL,
                sender TEXT NOT NULL,
                envelope BYTEA NOT NULL,
                digest BYTEA NOT NULL,
                created BIGINT NOT NULL,
                expires BIGINT NOT NULL,
                UNIQUE (recipient, digest))
            """,
            "CREATE INDEX relay_message_by_recipient ON relay_message (recipient, id)",
            "CREATE INDEX relay_message_by_expiry ON relay_message (expires)",
        ]),
    ]

    /// The transaction advisory lock every schema and sequencer write takes first.
    static let lockKey: Int64 = 0x6375_7374_6f73_6777  // "custosgw"
    /// The transaction advisory lock every relay write takes first: cursors then ascend in commit
    /// order, so acknowledging up to a cursor never deletes a message not yet seen.
    static let relayLockKey: Int64 = 0x6375_7374_6f73_726c  // "custosrl"

    private func migrate(_ connection: PostgresConnection) async throws {
        try await transaction(connection) {
            _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger).collect()
            _ = try await connection.query("""
                CREATE TABLE IF NOT EXISTS custos_gateway_migration (
                    name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger).collect()
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM custos_gateway_migration", logger: logger)
                .decode(String.self) { applied.insert(name) }
            let unknown = applied.subtracting(Self.migrations.map(\.name))
            guard unknown.isEmpty else {
                throw GatewayStoreError(.unknownSchema, "the database has migrations this gateway does not know (a newer version?): \(unknown.sorted())")
            }
            for migration in Self.migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).collect()
                }
                _ = try await connection.query("INSERT INTO custos_gateway_migration (name) VALUES (\(migration.name))", logger: logger).collect()
                logger.info("applied migration", metadata: ["name": "\(migration.name)"])
            }
            return ()
        }
    }

    // MARK: GatewayStore

    public func enqueue(_ entries: [Entry]) async throws -> [Int64] {
        guard !entries.isEmpty else { return [] }
        return try await exclusively { c in
            try await transaction(c) {
                var ids: [Int64] = []
                for entry in entries {
                    let rows = try await c.query("""
                        INSERT INTO queued_entry (kind, payload, entry_authorization)
                        VALUES (\(entry.kind), \(Data(entry.payload)), \(Data(entry.authorization))) RETURNING id
                        """, logger: logger)
                    var id: Int64?
                    for try await value in rows.decode(Int64.self) { id = value }
                    guard let id else { throw GatewayStoreError(.inconsistent, "PostgreSQL returned no queue id") }
                    ids.append(id)
                }
                return ids
            }
        }
    }

    public func committedEntry(digest: LedgerHash) async throws -> CommittedEntry? {
        try await exclusively { c in
            let rows = try await c.query("SELECT height, position FROM committed_entry WHERE digest = \(Data(digest.bytes))", logger: logger)
            for try await (height, position) in rows.decode((Int64, Int32).self) {
                return CommittedEntry(height: UInt64(height), index: Int(position))
            }
            return nil
        }
    }

    public func queued(limit: Int) async throws -> [QueuedEntry] {
        try await exclusively { c in
            var out: [QueuedEntry] = []
            let rows = try await c.query("""
                SELECT id, kind, payload, entry_authorization FROM queued_entry ORDER BY id LIMIT \(Int64(max(0, limit)))
                """, logger: logger)
            for try await (id, kind, payload, authorization) in rows.decode((Int64, String, Data, Data).self) {
                out.append(QueuedEntry(id: id, entry: try Entry(kind: kind, payload: Array(payload), authorization: Array(authorization))))
            }
            return out
        }
    }

    public func queuedCount() async throws -> Int {
        try await exclusively { c in
            for try await count in try await c.query("SELECT COUNT(*) FROM queued_entry", logger: logger).decode(Int64.self) {
                return Int(count)
            }
            return 0
        }
    }

    public func sequencerState() async throws -> SequencerState? {
        try await exclusively { c in try await Self.loadState(c, logger: logger) }
    }

    public func storeProposal(_ state: SequencerState, consumed: [Int64]) async throws -> GatewayStoreWrite {
        let written: GatewayStoreWrite? = try await exclusively { c in
            do {
                return try await transaction(c) {
                    _ = try await c.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger).collect()
                    let stored = try await Self.loadState(c, logger: logger)
                    guard SequencerSuccession.allowsProposal(state, over: stored) else {
                        throw Refused(write: try .refusing(state, over: stored))
                    }
                    try await Self.saveState(state, c, logger: logger)
                    let deleted = try await c.query("DELETE FROM queued_entry WHERE id = ANY(\(consumed)) RETURNING id", logger: logger).collect()
                    // An entry already gone was carried by another proposal: do not carry it twice.
                    guard deleted.count == Set(consumed).count else { throw Refused(write: nil) }
                    return GatewayStoreWrite.stored
                }
            } catch let refused as Refused {
                return refused.write
            }
        }
        if let written { return written }
        guard let stored = try await sequencerState() else { throw GatewayStoreError(.inconsistent, "queued entries vanished with no sequencer state stored") }
        return .conflict(stored: stored)
    }

    public func storeCommitted(_ certified: CertifiedBlock, state: SequencerState) async throws -> GatewayStoreWrite {
        try await exclusively { c in
            do {
                return try await transaction(c) {
                    _ = try await c.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger).collect()
                    let stored = try await Self.loadState(c, logger: logger)
                    guard SequencerSuccession.allowsCommit(certified, state: state, over: stored) else {
                        throw Refused(write: try .refusing(state, over: stored))
                    }
                    let block = certified.block
                    _ = try await c.query("""
                        INSERT INTO committed_block (height, hash, block, certificate)
                        VALUES (\(Int64(block.height)), \(Data(block.hash.bytes)), \(Data(block.serialized)), \(Data(certified.certificate.serialized)))
                        """, logger: logger).collect()
                    for (position, entry) in block.entries.enumerated() {
                        _ = try await c.query("""
                            INSERT INTO committed_entry (digest, height, position)
                            VALUES (\(Data(entry.digest.bytes)), \(Int64(block.height)), \(Int32(position))) ON CONFLICT (digest) DO NOTHING
                            """, logger: logger).collect()
                    }
                    try await Self.saveState(state, c, logger: logger)
                    return GatewayStoreWrite.stored
                }
            } catch let refused as Refused {
                guard let write = refused.write else { throw GatewayStoreError(.inconsistent, "refused a commit without a conflict") }
                return write
            }
        }
    }

    public func committedBlock(height: UInt64) async throws -> CertifiedBlock? {
        try await committedBlocks(from: height, limit: 1).first
    }

    public func committedBlocks(from height: UInt64, limit: Int) async throws -> [CertifiedBlock] {
        guard height <= UInt64(Int64.max), limit > 0 else { return [] }
        return try await exclusively { c in
            var blocks: [CertifiedBlock] = []
            let rows = try await c.query("""
                SELECT height, block, certificate FROM committed_block WHERE height >= \(Int64(height)) ORDER BY height LIMIT \(Int64(limit))
                """, logger: logger)
            for try await (stored, block, certificate) in rows.decode((Int64, Data, Data).self) {
                guard UInt64(stored) == height + UInt64(blocks.count) else { break }
                blocks.append(CertifiedBlock(block: try Block(serialized: Array(block)),
                                             certificate: try QuorumCertificate(serialized: Array(certificate))))
            }
            return blocks
        }
    }

    public func storeRelayMessages(_ messages: [RelayMessage], limits: RelayLimits, now: UInt64) async throws -> RelayWrite {
        try await exclusively { c in
            try await transaction(c) {
                // Not waiting for the disk, this transaction only: see `GatewayStore.storeRelayMessages`.
                _ = try await c.query("SET LOCAL synchronous_commit = off", logger: logger).collect()
                _ = try await c.query("SELECT pg_advisory_xact_lock(\(Self.relayLockKey))", logger: logger).collect()
                _ = try await c.query("DELETE FROM relay_message WHERE expires <= \(Int64(clamping: now))", logger: logger).collect()
                let total = try await Self.relayHeld(c, recipient: nil, logger: logger)
                var perRecipient: [String: RelayHeld] = [:]
                for recipient in Set(messages.map(\.recipient)) {
                    perRecipient[recipient] = try await Self.relayHeld(c, recipient: recipient, logger: logger)
                }
                if let refusal = RelayHeld.refusal(of: messages, limits: limits, total: total, perRecipient: perRecipient) {
                    return refusal
                }
                for m in messages {
                    _ = try await c.query("""
                        INSERT INTO relay_message (recipient, session_id, round, sender, envelope, digest, created, expires)
                        VALUES (\(m.recipient), \(Data(m.sessionID)), \(Int32(m.round)), \(m.sender), \(Data(m.envelope)),
                                \(Data(m.digest)), \(Int64(clamping: m.created)), \(Int64(clamping: m.expires)))
                        ON CONFLICT (recipient, digest) DO NOTHING
                        """, logger: logger).collect()
                }
                return RelayWrite.stored
            }
        }
    }

    private static func relayHeld(_ c: PostgresConnection, recipient: String?, logger: Logger) async throws -> RelayHeld {
        let rows = if let recipient {
            try await c.query("SELECT COUNT(*), COALESCE(SUM(octet_length(envelope)), 0)::BIGINT FROM relay_message WHERE recipient = \(recipient)",
                              logger: logger)
        } else {
            try await c.query("SELECT COUNT(*), COALESCE(SUM(octet_length(envelope)), 0)::BIGINT FROM relay_message", logger: logger)
        }
        for try await (messages, bytes) in rows.decode((Int64, Int64).self) { return RelayHeld(messages: Int(messages), bytes: Int(bytes)) }
        return RelayHeld(messages: 0, bytes: 0)
    }

    public func relayInbox(of recipient: String, after cursor: Int64, now: UInt64, limit: Int) async throws -> [QueuedRelayMessage] {
        try await exclusively { c in
            try await transaction(c) {
                _ = try await c.query("SET LOCAL synchronous_commit = off", logger: logger).collect()
                _ = try await c.query("DELETE FROM relay_message WHERE recipient = \(recipient) AND id <= \(cursor)", logger: logger).collect()
                _ = try await c.query("DELETE FROM relay_message WHERE expires <= \(Int64(clamping: now))", logger: logger).collect()
                var out: [QueuedRelayMessage] = []
                let rows = try await c.query("""
                    SELECT id, session_id, round, sender, envelope, created, expires FROM relay_message
                    WHERE recipient = \(recipient) AND id > \(cursor) ORDER BY id LIMIT \(Int64(max(0, limit)))
                    """, logger: logger)
                for try await (id, sessionID, round, sender, envelope, created, expires)
                    in rows.decode((Int64, Data, Int32, String, Data, Int64, Int64).self) {
                    out.append(QueuedRelayMessage(cursor: id, message: RelayMessage(
                        sessionID: Array(sessionID), round: UInt16(clamping: round), sender: sender, recipient: recipient,
                        envelope: Array(envelope), created: UInt64(clamping: created), expires: UInt64(clamping: expires))))
                }
                return out
            }
        }
    }

    // MARK: Connection

    /// A refused sequencer write: rolls the transaction back. `write` nil means the queued
    /// entries were consumed by another proposal; the caller reads the state that won.
    private struct Refused: Error {
        let write: GatewayStoreWrite?
    }

    /// Runs `body` on the connection, one call at a time, (re)connecting first if needed. Errors
    /// from PostgreSQL become `GatewayStoreError`s naming the database; a broken connection is
    /// dropped so that the next call reconnects.
    private func exclusively<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        await turns.enter()
        do {
            let connection = try await connected()
            do {
                let result = try await body(connection)
                await turns.leave()
                return result
            } catch let error as GatewayStoreError {
                throw error
            } catch {
                if connection.isClosed { self.connection = nil }
                throw GatewayStoreError(.unavailable, "PostgreSQL at \(location): \(Self.describe(error))")
            }
        } catch {
            await turns.leave()
            throw error
        }
    }

    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.username, password: password,
            database: location.database, tls: tls)
        do {
            let opened = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
            connection = opened
            return opened
        } catch {
            throw GatewayStoreError(.unavailable, "cannot connect to PostgreSQL at \(location): \(Self.describe(error))")
        }
    }

    /// BEGIN, `body`, COMMIT; ROLLBACK if `body` throws.
    private func transaction<T>(_ connection: PostgresConnection, _ body: () async throws -> T) async throws -> T {
        _ = try await connection.query("BEGIN", logger: logger).collect()
        let result: T
        do { result = try await body() } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger).collect()
            throw error
        }
        _ = try await connection.query("COMMIT", logger: logger).collect()
        return result
    }

    private static func loadState(_ connection: PostgresConnection, logger: Logger) async throws -> SequencerState? {
        for try await bytes in try await connection.query("SELECT state FROM sequencer_state WHERE id = 1", logger: logger)
            .decode(Data.self) { return try SequencerState(serialized: Array(bytes)) }
        return nil
    }

    private static func saveState(_ state: SequencerState, _ connection: PostgresConnection, logger: Logger) async throws {
        _ = try await connection.query("""
            INSERT INTO sequencer_state (id, state) VALUES (1, \(Data(state.serialized)))
            ON CONFLICT (id) DO UPDATE SET state = excluded.state
            """, logger: logger).collect()
    }

    /// What went wrong, from the server's message or the connection error; PostgreSQL never
    /// echoes a password, and nothing here reads one.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}
