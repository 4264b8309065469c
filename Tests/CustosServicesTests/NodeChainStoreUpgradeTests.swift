import CustosClusterAPI
import CustosNodeService
import Foundation
import GRDB
import Testing

/// A node's chain made before requests and approvals bound the cluster's genesis digest (v5), or
/// before governance approvals were timed (v10), or before watch reports were numbered in parts
/// (v11), or before the watch room kept flood sets (v12), or before their fingerprints were 16
/// bytes and a poisoning section bounded staleness (v13), or before each watcher kept its own
/// coverage and flood records named their watcher and were capped (v14), or before a second watcher's
/// report corroborated a flag and a bot's coverage ended with its key (v15), or before
/// transactions were simulated and receipts kept (v16), or before a signed transaction could be
/// replaced by a fee bump and receipts carried every log (v17), or before every alternative of a
/// require rule could approve (v18), or before receipts were compared without their block fields
/// and policy changes named their base (v19), or while a policy change could name no base (v20),
/// or while requests shared their windows across environments (v21),
/// cannot be replayed under today's rules without
/// rewriting its history: the store refuses to open it, saying why, while an empty one upgrades.
@Suite struct NodeChainStoreUpgradeTests {
    @Test(arguments: ["v5", "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21"])
    func aChainFromBeforeARuleChangeIsRefusedAndAnEmptyOneUpgrades(migration: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-chain-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("chain.sqlite").path
        _ = try NodeChainStore(path: path)
        // As an earlier version left it: the migration not yet applied, one committed block.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE '\(migration):%'")
            try db.execute(sql: "INSERT INTO committedBlock (height, hash, timestamp, block, certificate) VALUES (1, x'01', 1, x'00', x'00')")
        }
        try queue.close()
        do {
            _ = try NodeChainStore(path: path)
            Issue.record("an old chain was opened")
        } catch {
            #expect("\(error)".contains("start a new cluster"), "\(error)")
        }
        // An empty store of the same age upgrades.
        let empty = folder.appendingPathComponent("empty.sqlite").path
        _ = try NodeChainStore(path: empty)
        let emptyQueue = try DatabaseQueue(path: empty)
        try emptyQueue.write { db in try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE '\(migration):%'") }
        try emptyQueue.close()
        _ = try NodeChainStore(path: empty)
    }
}
