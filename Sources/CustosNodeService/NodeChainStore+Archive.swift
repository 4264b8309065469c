import CustosClusterAPI
import CustosCore
import CustosNode
import CustosLedger
import Foundation
import GRDB

extension NodeChainStore {
    /// `chain.sqlite` → `chain-archive.sqlite`, beside it.
    static func archivePath(of path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let name = url.deletingPathExtension().lastPathComponent + "-archive." + (url.pathExtension.isEmpty ? "sqlite" : url.pathExtension)
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// The archive of pruned blocks, nil when none was ever made.
    func openArchive() throws -> DatabasePool? {
        guard FileManager.default.fileExists(atPath: archivePath) else { return nil }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.readonly = true
        return try DatabasePool(path: archivePath, configuration: configuration)
    }

    /// The lowest height the working store holds, nil when it holds no block.
    public func lowestWorkingHeight() throws -> UInt64? {
        try writer.read { db in try Int64.fetchOne(db, sql: "SELECT MIN(height) FROM committedBlock").map { UInt64($0) } }
    }

    /// Moves the committed blocks up to `height` (and their state digests) out of the working
    /// store into the archive (`archivePath`): a restart from the persisted state reads neither,
    /// and an export reads both. Only blocks at or below the persisted state's height, and never
    /// the head, are moved (a replay from the persisted state needs everything above it); the
    /// archive's copy is durable before the working store's is deleted, so a crash between the
    /// two leaves a block in both, never in neither. Answers how many blocks moved.
    @discardableResult
    public func prune(through height: UInt64) throws -> Int {
        guard let persisted = try persistedStateHeight() else {
            throw ClusterAPIError(.pruneRefused, "nothing is pruned before the node stored a persisted state to restart from")
        }
        let headHeight = try writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(height) FROM committedBlock") } ?? 0
        let through = min(height, persisted, UInt64(max(0, headHeight - 1)))
        guard let lowest = try lowestWorkingHeight(), lowest <= through else { return 0 }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let archive = try DatabasePool.durable(path: archivePath, configuration: configuration)
        try Self.archiveMigrator.migrate(archive)
        var moved = 0
        var from = lowest
        while from <= through {
            let to = min(through, from + 1023)
            let rows = try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT height, hash, timestamp, block, certificate FROM committedBlock WHERE height BETWEEN ? AND ? ORDER BY height",
                                 arguments: [Int64(from), Int64(to)])
            }
            let digests = try writer.read { db in
                try Row.fetchAll(db, sql: "SELECT height, digest FROM stateDigest WHERE height BETWEEN ? AND ?", arguments: [Int64(from), Int64(to)])
            }
            try archive.write { db in
                for r in rows {
                    try db.execute(sql: "INSERT OR IGNORE INTO committedBlock (height, hash, timestamp, block, certificate) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [r["height"], r["hash"], r["timestamp"], r["block"], r["certificate"]] as StatementArguments)
                    let stored = try Data.fetchOne(db, sql: "SELECT hash FROM committedBlock WHERE height = ?", arguments: [r["height"]] as StatementArguments)
                    guard stored == r["hash"] else {
                        throw ClusterAPIError(.stateMismatch, "the archive holds another block at height \(r["height"] as Int64)")
                    }
                }
                for r in digests {
                    try db.execute(sql: "INSERT OR REPLACE INTO stateDigest (height, digest) VALUES (?, ?)", arguments: [r["height"], r["digest"]] as StatementArguments)
                }
            }
            try writer.write { db in
                try db.execute(sql: "DELETE FROM committedBlock WHERE height BETWEEN ? AND ?", arguments: [Int64(from), Int64(to)])
                try db.execute(sql: "DELETE FROM stateDigest WHERE height BETWEEN ? AND ?", arguments: [Int64(from), Int64(to)])
            }
            moved += rows.count
            from = to + 1
        }
        return moved
    }

    private static var archiveMigrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: archived blocks") { db in
            try createCommittedBlockTable(db)
            try createStateDigestTable(db)
        }
        return migrator
    }

    /// The hash of the committed block at `height`, from the working store or the archive; nil
    /// when neither holds it.
    public func blockHash(at height: UInt64) throws -> LedgerHash? {
        let sql = "SELECT hash FROM committedBlock WHERE height = ?"
        if let hash = try writer.read({ db in try Data.fetchOne(db, sql: sql, arguments: [Int64(height)]) }) {
            return try LedgerHash(bytes: hash)
        }
        guard let archive = try openArchive() else { return nil }
        return try archive.read { db in try Data.fetchOne(db, sql: sql, arguments: [Int64(height)]) }.map { try LedgerHash(bytes: $0) }
    }
}
