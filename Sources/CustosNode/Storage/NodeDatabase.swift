import CustosCore
import CustosCrypto
import Foundation
import GRDB

/// A signer node's own durable state in SQLite (WAL, synchronous=FULL, so a committed
/// transaction survives power loss): the one-time secrets it has used, the votes it has
/// cast and the rounds it gave up, and its sealed secrets (key shares, presignatures, FROST nonces — sealed by its
/// `NodeSeal` before they are written, so the file never holds one in clear). Every "is it unused? then mark it used" is one write transaction that has committed
/// before the method returns, so a share computed from that secret may leave the node only
/// afterwards — and a restart, or a second process on the same file, never uses it again
/// (web3signer's slashing protection, applied to nonces, presignatures and votes).
public final class NodeDatabase: Sendable {
    private let writer: any DatabaseWriter
    /// What seals the secret store; nil for a database opened without one (tools, tests), whose
    /// secret store refuses every call.
    let seal: NodeSeal?

    /// The environment of the node whose seal this database was opened with: a production node
    /// takes part only in production vaults, a development node only in development ones. Nil
    /// when opened without a seal.
    public var environment: NodeEnvironment? { seal?.environment }

    /// Opens (creating if needed) the database file at `path` and migrates it; `seal` seals
    /// the secret store.
    public convenience init(path: String, seal: NodeSeal? = nil) throws(StorageError) {
        var configuration = Configuration()
        // Another process (or handle) holding the write lock makes a writer wait, not fail.
        configuration.busyMode = .timeout(10)
        do {
            try self.init(writer: DatabasePool.durable(path: path, configuration: configuration), seal: seal)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.databaseFailure, "cannot open the node database at \(path): \(error)")
        }
    }

    /// The writer's `synchronous` setting (2 is FULL: every commit waits for the disk).
    package func writerSynchronous() throws -> Int { try writer.writerSynchronous() }

    /// A private in-memory database, for tests.
    public static func inMemory(seal: NodeSeal? = nil) throws(StorageError) -> NodeDatabase {
        do {
            return try NodeDatabase(writer: DatabaseQueue(), seal: seal)
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.databaseFailure, "cannot open an in-memory database: \(error)")
        }
    }

    private init(writer: any DatabaseWriter, seal: NodeSeal?) throws(StorageError) {
        self.writer = writer
        self.seal = seal
        do {
            try Self.migrator.migrate(writer)
        } catch {
            throw StorageError(.databaseFailure, "migration failed: \(error)")
        }
    }

    /// Migrations are registered by name and never edited once shipped.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: one-time secrets and votes") { db in
            try db.create(table: "oneTimeSecretUse") { t in
                t.column("kind", .text).notNull()
                t.column("id", .blob).notNull()
                t.column("purpose", .blob).notNull()
                t.primaryKey(["kind", "id"])
            }
            try db.create(table: "vote") { t in
                t.column("height", .integer).notNull().primaryKey()
                t.column("blockHash", .blob).notNull()
                t.column("vote", .blob).notNull()
            }
        }
        migrator.registerMigration("v2: sealed secrets") { db in
            // Only sealed bytes: NodeSeal seals every secret before it reaches this table.
            try db.execute(sql: """
                CREATE TABLE sealedSecret (
                    kind TEXT NOT NULL, id BLOB NOT NULL, sealed BLOB NOT NULL, PRIMARY KEY (kind, id))
                """)
        }
        migrator.registerMigration("v3: signing halts") { db in
            try db.create(table: "signingHalt") { t in
                t.primaryKey("cause", .text)
                t.column("height", .integer).notNull()
                t.column("since", .integer).notNull()
                t.column("reason", .text).notNull()
                t.column("evidence", .blob).notNull()
            }
        }
        migrator.registerMigration("v4: local freezes taken once") { db in
            try db.execute(sql: """
                CREATE TABLE localFreeze (
                    digest BLOB NOT NULL PRIMARY KEY, use TEXT NOT NULL CHECK (use IN ('verified', 'lifted')))
                """)
        }
        migrator.registerMigration("v5: votes by round, round changes") { db in
            // A node votes once per round of a height (`NodeConsensus`, "Rounds"): the votes of
            // earlier versions are round 0.
            try db.execute(sql: """
                CREATE TABLE voteByRound (
                    height INTEGER NOT NULL, round INTEGER NOT NULL, blockHash BLOB NOT NULL, vote BLOB NOT NULL,
                    PRIMARY KEY (height, round));
                INSERT INTO voteByRound (height, round, blockHash, vote) SELECT height, 0, blockHash, vote FROM vote;
                DROP TABLE vote;
                ALTER TABLE voteByRound RENAME TO vote;
                CREATE TABLE roundChange (height INTEGER NOT NULL PRIMARY KEY, round INTEGER NOT NULL, change BLOB NOT NULL);
                """)
        }
        migrator.registerMigration("v6: restoration floor") { db in
            // At most one row: a node restored from a backup votes at no height up to `floor`,
            // and at none while `floor` is NULL (`NodeDatabase+Restoration`).
            try db.execute(sql: """
                CREATE TABLE restoration (
                    one INTEGER NOT NULL PRIMARY KEY CHECK (one = 1), nonce BLOB NOT NULL CHECK (length(nonce) = 32), floor INTEGER)
                """)
        }
        migrator.registerMigration("v7: restoration floor rounds") { db in
            // A floor learned from other members' voting records: above `floor`, the heights its
            // original may have voted at, each with the highest round it may have voted in
            // there. entryHeight: where the node's own node.restored entry committed; announced:
            // whether a gateway accepted that entry (it is submitted once per restore).
            try db.execute(sql: """
                CREATE TABLE restorationRound (height INTEGER NOT NULL PRIMARY KEY, round INTEGER NOT NULL);
                ALTER TABLE restoration ADD COLUMN entryHeight INTEGER;
                ALTER TABLE restoration ADD COLUMN announced INTEGER NOT NULL DEFAULT 0;
                UPDATE restoration SET entryHeight = floor, announced = (floor IS NOT NULL);
                """)
        }
        return migrator
    }

    /// What kind of one-time secret a use record is for.
    public enum OneTimeSecret: String, Sendable {
        case presignature
        case frostNonce
    }

    /// Records that the secret `id` of `kind` is used to sign `purpose` (a digest of what is
    /// signed). Refuses with `alreadyUsed` if it was used before — for the same purpose too:
    /// a retry must not produce a second share from one secret. Durable when it returns.
    public func recordUse(of kind: OneTimeSecret, id: [UInt8], purpose: [UInt8]) throws(StorageError) {
        guard !id.isEmpty, purpose.count == 32 else {
            throw StorageError(.invalidInput, "a use record needs an id and a 32-byte purpose digest")
        }
        try write { db throws(StorageError) in
            let existing = try Self.run { try Row.fetchOne(db, sql: "SELECT 1 FROM oneTimeSecretUse WHERE kind = ? AND id = ?",
                                                            arguments: [kind.rawValue, Data(id)]) }
            guard existing == nil else {
                throw StorageError(.alreadyUsed, "this \(kind.rawValue) was already used")
            }
            try Self.run {
                try db.execute(sql: "INSERT INTO oneTimeSecretUse (kind, id, purpose) VALUES (?, ?, ?)",
                               arguments: [kind.rawValue, Data(id), Data(purpose)])
            }
        }
    }

    /// Whether the secret was used.
    public func hasUsed(_ kind: OneTimeSecret, id: [UInt8]) throws(StorageError) -> Bool {
        do {
            return try writer.read { db in
                try Row.fetchOne(db, sql: "SELECT 1 FROM oneTimeSecretUse WHERE kind = ? AND id = ?",
                                 arguments: [kind.rawValue, Data(id)]) != nil
            }
        } catch {
            throw StorageError(.databaseFailure, "reading use records failed: \(error)")
        }
    }

    /// Records this node's vote at `height` in `round` for `blockHash` before the vote is sent.
    /// Voting again for the same block in the same round is allowed (a resend returns the stored
    /// vote); a vote for a different block in the same round, and a vote in a round this node
    /// gave up at that height (`recordRoundChange`), are refused with `conflictingVote`; a vote
    /// of a restored node at or below its restoration floor, or before it has one, is refused
    /// with `restoredNotVoting` (`markRestored(nonce:)`).
    public func recordVote(height: UInt64, round: UInt32 = 0, blockHash: [UInt8], vote: [UInt8]) throws(StorageError) -> [UInt8] {
        guard blockHash.count == 32, !vote.isEmpty, height <= UInt64(Int64.max) else {
            throw StorageError(.invalidInput, "a vote needs a 32-byte block hash, a height and the vote bytes")
        }
        return try write { db throws(StorageError) -> [UInt8] in
            try Self.checkRestorationFloor(db, height: height, round: round)
            let row = try Self.run { try Row.fetchOne(db, sql: "SELECT blockHash, vote FROM vote WHERE height = ? AND round = ?",
                                                       arguments: [Int64(height), Int64(round)]) }
            if let row {
                let stored: Data = row["blockHash"]
                guard Array(stored) == blockHash else {
                    throw StorageError(.conflictingVote,
                                       "already voted for block \(Array(stored).hexString) at height \(height) round \(round)")
                }
                let storedVote: Data = row["vote"]
                return Array(storedVote)
            }
            let abandoned = try Self.run { try Int64.fetchOne(db, sql: "SELECT round FROM roundChange WHERE height = ?",
                                                              arguments: [Int64(height)]) }
            if let abandoned, abandoned >= Int64(round) {
                throw StorageError(.conflictingVote, "gave up round \(abandoned) at height \(height); no vote in round \(round)")
            }
            try Self.run {
                try db.execute(sql: "INSERT INTO vote (height, round, blockHash, vote) VALUES (?, ?, ?, ?)",
                               arguments: [Int64(height), Int64(round), Data(blockHash), Data(vote)])
            }
            return vote
        }
    }

    /// The highest height this node voted at, with the block hash of its vote in the highest round there.
    public func lastVote() throws(StorageError) -> (height: UInt64, blockHash: [UInt8])? {
        do {
            return try writer.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT height, blockHash FROM vote ORDER BY height DESC, round DESC LIMIT 1")
                else { return nil }
                let height: Int64 = row["height"]
                let hash: Data = row["blockHash"]
                return (UInt64(height), Array(hash))
            }
        } catch {
            throw StorageError(.databaseFailure, "reading votes failed: \(error)")
        }
    }

    /// Every recorded vote in height and round order, for inspection and tests.
    public func recordedVotes() throws(StorageError) -> [(height: UInt64, blockHash: [UInt8], vote: [UInt8])] {
        do {
            return try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT height, blockHash, vote FROM vote ORDER BY height, round").map { row in
                    let height: Int64 = row["height"]
                    let hash: Data = row["blockHash"]
                    let vote: Data = row["vote"]
                    return (UInt64(height), Array(hash), Array(vote))
                }
            }
        } catch {
            throw StorageError(.databaseFailure, "reading votes failed: \(error)")
        }
    }

    /// One read; errors are reported as `what` failing.
    func read<T>(_ what: String, _ body: @escaping (Database) throws -> T) throws(StorageError) -> T {
        do {
            return try writer.read { db in try body(db) }
        } catch {
            throw StorageError(.databaseFailure, "\(what) failed: \(error)")
        }
    }

    /// One immediate write transaction; a thrown error rolls it back.
    func write<T>(_ body: @escaping (Database) throws(StorageError) -> T) throws(StorageError) -> T {
        do {
            return try writer.write { db in try body(db) }
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.databaseFailure, "write failed and was rolled back: \(error)")
        }
    }

    static func run<T>(_ body: () throws -> T) throws(StorageError) -> T {
        do {
            return try body()
        } catch {
            throw StorageError(.databaseFailure, "\(error)")
        }
    }
}
