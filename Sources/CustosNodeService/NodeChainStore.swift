import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosNode
import Foundation
import GRDB

/// A node's committed chain in SQLite (WAL, synchronous=FULL): every applied certified block,
/// so the committed head survives a restart and the node can be inspected. A block and the head
/// it yields are one row, written in one transaction. Votes are not here: `NodeDatabase` records
/// them (and refuses a second vote at a height) before any vote leaves the node.
public final class NodeChainStore: Sendable {
    let writer: any DatabaseWriter

    /// The file old blocks are moved to when they are pruned from the working store
    /// (`prune(through:)`): same schema, read only by an export and by a replay from genesis.
    public let archivePath: String

    public init(path: String, readOnly: Bool = false) throws {
        archivePath = Self.archivePath(of: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.readonly = readOnly
        writer = try readOnly ? DatabasePool(path: path, configuration: configuration) : DatabasePool.durable(path: path, configuration: configuration)
        if !readOnly { try Self.migrator.migrate(writer) }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: committed blocks") { db in try createCommittedBlockTable(db) }
        migrator.registerMigration("v2: governed state per height") { db in
            try createStateDigestTable(db)
            try db.create(table: "governanceSnapshot") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("height", .integer).notNull()
                t.column("json", .blob).notNull()
            }
        }
        migrator.registerMigration("v3: trust anchor") { db in
            try db.create(table: "trustAnchor") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("height", .integer).notNull()
                t.column("hash", .blob).notNull()
            }
        }
        migrator.registerMigration("v4: state digests of version 3") { db in
            // Digests recorded by earlier versions were computed another way (the rooms that grow
            // re-encoded in full, not journaled): a node upgraded in place records them anew
            // from the next block, instead of refusing to start on a mismatch.
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v5: requests bound to their cluster") { db in
            // Bot requests, approvals and registrations now sign the cluster's genesis digest.
            // Replayed under that rule, every older one would be refused and the state rewritten
            // (people, bots, policy, freezes, vault epochs): a chain made before it cannot be
            // carried over, so the node refuses to open it rather than quietly diverge.
            try Self.refuseOlderChain(db, made: "whose signatures bind no cluster digest")
        }
        migrator.registerMigration("v6: state digests of version 4") { db in
            // Version 4 adds the windows, prices, assets and transactions rooms and the figures a
            // decision read.
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v7: state digests of version 5") { db in
            // Version 5 adds when an approved, time-locked operation executes, and the windows'
            // held count (requests kept for limits a later policy adds).
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v8: state digests of version 6") { db in
            // Version 6 adds the approvals room (approvals counted for the fatigue limits, hasty
            // approvals flagged) and each request approval's review, limit and flag; the watch
            // room (dust transfers watchers reported) and the destination warnings of a decision; the cooling-off of
            // address-book entries (when each was added or changed, usable from, cancelled, waived).
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v9: state digests of version 7") { db in
            // Version 7 records each approval in the approvals room at the later of its block
            // time and its signing time (governance approvals now carry one too); tags the watch
            // room's journal records (a report, or a flag the quorum cleared) and adds what each
            // report covers (issue 17, security review M3 and M4).
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v10: timed decisions and confirmed prices") { db in
            // Governance approvals are now timed, and refused untimed under a policy that bounds
            // approvals; a price move is confirmed only by enough distinct sources; a watch report
            // states what it covers. Replayed under these rules, an older chain would quietly
            // lose approvals, decisions and reports it committed (a policy change undone), so
            // the node refuses to open it, as for v5, rather than diverge without a word.
            try Self.refuseOlderChain(db, made: "whose governance approvals carry no signing time")
        }
        migrator.registerMigration("v11: numbered watch report parts and batches of plain transfers") { db in
            // Version 8 records, for each watch report, its part and count of parts, whether it
            // extended the chain's coverage and how many dust counterparties the room's bounds
            // left unflagged; and, for each clearance, what it cleared (an address, a
            // transaction's flags, the flags before a block, the overflow or the coverage) and
            // how many flags (issue 17, second security review H1, H2). A watch report's wire
            // form changed (parts and the last block's hash and time), a report behind the
            // coverage is taken for its flags, and a batch approval lists plain transfers only:
            // an older chain would replay into another history, so it is refused, as for v10.
            try Self.refuseOlderChain(db, made: "whose watch reports are not numbered in parts")
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v12: the watch room's flood sets") { db in
            // Version 9 puts each chain's flood set (the dust counterparties beyond the detailed
            // flags, by count and running digest) in the digest, and the watch room's journal
            // records how many each report put there and the hash of the block before its range
            // (issue 17, third security review H-2, M2). Dust beyond the detailed bounds no longer
            // overflows the chain but is poisoned, and a watch report's wire form changed (it
            // names `parent_hash`): an older chain would replay into another history, so it is
            // refused, as for v11.
            try Self.refuseOlderChain(db, made: "whose watch room overflowed on a flood of dust instead of keeping it")
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v13: wider flood fingerprints and a bounded staleness") { db in
            // Version 10 keeps a flood set's members as 16-byte fingerprints and the addresses
            // the quorum cleared in it (fourth security review M2); only a range starting right
            // after the coverage extends it; a `poisoning` section bounds staleness at an hour
            // unless it says otherwise (review H-3). An older chain would replay into another
            // history, so it is refused, as for v12.
            try Self.refuseOlderChain(db, made: "whose flood sets kept 8-byte fingerprints")
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v14: each watcher's own coverage; flood records by watcher, capped") { db in
            // Version 11 keeps each watcher's coverage of a chain apart (a range extends only its
            // own watcher's, its parent checked against that watcher's last block) and the
            // poisoned test reads how far `poisoning.min_watchers` of them reached, 2 by default
            // (review helper-58 M2); it folds the watcher of each flood member into the flood
            // set's running digest, a chain keeps at most 4,096 flood transactions with their own
            // record (the rest share one summary per watcher) and the quorum clears by watcher
            // (`reporter:BOT`) (review helper-54 M1, M3). An older chain would replay into another
            // history, so it is refused, as for v13.
            try Self.refuseOlderChain(db, made: "whose watchers shared one coverage per chain")
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v15: corroborated watch flags; a bot's coverage ends with its key; cooling-off waits kept by address") { db in
            // Version 12 keeps a second watcher's report of a flag or flood member beside the
            // first (review helper-64 M2: `reporter:BOT` leaves what another watcher reported
            // too), folds it into the watch journal and the flood set's running digest (set tag
            // v4), and drops a watcher's coverage when the quorum removes the bot, rotates its key
            // or clears `reporter:BOT` (review helper-68 L3); it also keeps a running cooling-off
            // by chain and address, so an entry removed and added again waits until it ends, and
            // names a waiver's destination (change kind 46). An older chain would replay into
            // another history, so it is refused, as for v14.
            try Self.refuseOlderChain(db, made: "whose watch flags named one watcher each and whose cooling-off ended with its entry")
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v16: simulations and receipts on planned transactions") { db in
            // Version 13 keeps an executor's latest simulation on each planned transaction
            // (`request.simulation`), refuses parameters without a fresh successful one and ends
            // a transaction whose simulation reverted (`reverted-in-simulation`); it keeps the
            // receipt of a mined transaction (`request.receipt`). An older chain
            // would replay into another history, so it is refused, as for v15.
            try Self.refuseOlderChain(db, made: "whose transactions were signed without a simulation")
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v17: fee bumps of signed transactions; receipts carry every log, mismatches by code; alerts") { db in
            // Version 15 keeps, on each planned transaction, when it was signed and the hashes it
            // replaced by fee bumps, and accepts parameters for a signed transaction without a
            // receipt as a fee bump (issue 11 item 7); a receipt (payload v2) carries its true log
            // count and each log's full length and digest, its mismatches are kept by code, and
            // every node derives alerts. An older chain would replay into another history (its
            // receipts no longer decode), so it is refused, as for v16.
            try Self.refuseOlderChain(db, made: "whose signed transactions could not be replaced by a fee bump and whose receipts carried at most 16 logs")
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v18: every alternative of a require rule may approve; offboardings; receipt checks") { db in
            // Version 16 lets the groups of every alternative of an unmet require rule approve or
            // reject a request, not only the closest alternative's, and keeps every alternative
            // on the decision; it encodes the offboardings (`offboard-user`, change kind 47), the
            // members' receipt checks and the freeze they may cause, counts every fee-bump
            // replacement toward its bound, and keeps each bot's environment (an add-bot of kind
            // 10, without one, no longer decodes). An older chain, where such approvals were refused and
            // such replacements accepted, would replay into another history, so it is refused, as for v17.
            try Self.refuseOlderChain(db, made: "where only the closest alternative's groups could approve a request")
            try db.execute(sql: "DELETE FROM stateDigest")
        }
        migrator.registerMigration("v19: onboarding steps, access reviews, receipt digest v2, policy changes naming their base") { db in
            // The digest (v17) adds each person's recorded onboarding steps, each credential's
            // attestation and the open access review. Receipts are compared by digest v2 (no block
            // fields), a Transfer out of the vault from any contract is a mismatch and only other
            // contracts' approvals are foreign events, a plain transfer's gas limit follows its
            // simulation, and change kinds 48 to 51 are new: an older chain could replay into
            // another history.
            try db.execute(sql: "DELETE FROM stateDigest")
            try Self.refuseOlderChain(db, made: "whose receipts were compared with their block fields and whose policy changes named no base")
        }
        migrator.registerMigration("v20: change kind 7 retired; deployments, monitoring, environments") { db in
            // A policy change that names no base (change kind 7), which v19's software still
            // accepted, is refused at proposal: a chain holding one would replay into another
            // history (its later votes refused, the node stopped on a state mismatch). The digest
            // (v18) adds deployments, the monitoring room, the accepted restores and the
            // environments' price and watch rooms.
            try db.execute(sql: "DELETE FROM stateDigest")
            try Self.refuseOlderChain(db, made: "whose policy changes could name no base (change kind 7)")
        }
        migrator.registerMigration("v21: windows per environment; watch reports bind the monitoring section") { db in
            // Version 19 of the digest keeps the windows room per environment (review helper-125
            // H1): a request is decided on its environment's totals and destination history
            // alone. Watch reports carry the digest of the monitoring section they were read for,
            // and a report without it is refused where the section watches the chain; a group
            // role nobody holds no longer fails a recompile. An older chain could replay into
            // another history under these rules.
            try db.execute(sql: "DELETE FROM stateDigest")
            try Self.refuseOlderChain(db, made: "whose requests shared their windows across environments and whose watch reports named no monitoring section")
        }
        migrator.registerMigration("v22: refused-for-section watch reports count toward the lag; vaults with an offline share") { db in
            // A watch report refused for another monitoring section has its own refusal code and
            // records how far its watcher read, which can raise monitoring-lagging (review
            // helper-133 M1); version 20 of the digest takes a vault's offline enrolment. An
            // older chain could replay into another state under these rules.
            try db.execute(sql: "DELETE FROM stateDigest")
            try Self.refuseOlderChain(db, made: "whose watch reports refused for another monitoring section moved nothing")
        }
        migrator.registerMigration("v23: vaults with an offline share sign; requests keep their height") { db in
            // A signing session of a vault with an offline share no longer fails at once: it waits
            // for members' attestations and the offline signer's answer (entry kinds
            // vault.offline.attest and vault.offline.share). Version 21 of the digest takes a
            // request's height and a session's offline attempt. An older chain could replay into
            // another state under these rules.
            try db.execute(sql: "DELETE FROM stateDigest")
            try Self.refuseOlderChain(db, made: "whose signing sessions of vaults with an offline share failed at once")
        }
        migrator.registerMigration("v24: the persisted state a node restarts from") { db in
            // The whole replicated state at one height (`PersistedState`), which the node's seal
            // vouches for (`NodeDatabase.SecretKind.persistedState`): a restart replays only the
            // blocks above it. One row, replaced as the head moves on.
            try db.create(table: "persistedState") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("height", .integer).notNull()
                t.column("blockHash", .blob).notNull()
                t.column("stateDigest", .blob).notNull()
                t.column("encoded", .blob).notNull()
            }
        }
        return migrator
    }

    /// Refuses a store that holds committed blocks, made by an earlier version (`made` says how
    /// it differs) whose chain today's rules would replay into another history; an empty store
    /// upgrades.
    private static func refuseOlderChain(_ db: Database, made: String) throws {
        let blocks = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM committedBlock") ?? 0
        guard blocks == 0 else {
            throw ClusterAPIError(
                .stateMismatch,
                "this node's chain (\(blocks) blocks) was made by an earlier version \(made); "
                    + "it cannot be replayed under today's rules: start a new cluster (for `make run`, remove .custos-dev)")
        }
    }

    /// The trust anchor the operator gave this node last (kept so that a restart without it
    /// still refuses a history it does not vouch for), nil if none was ever given.
    public func trustAnchor() throws -> TrustAnchor? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT height, hash FROM trustAnchor WHERE id = 1") else { return nil }
            let height: Int64 = row["height"]
            let hash: Data = row["hash"]
            return try TrustAnchor(height: UInt64(height), hash: try LedgerHash(bytes: hash))
        }
    }

    /// Records `anchor` in place of any earlier one.
    public func record(trustAnchor anchor: TrustAnchor) throws {
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO trustAnchor (id, height, hash) VALUES (1, ?, ?)
                ON CONFLICT(id) DO UPDATE SET height = excluded.height, hash = excluded.hash
                """, arguments: [Int64(anchor.height), Data(anchor.hash.bytes)])
        }
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

    /// The certificate of the committed head, nil before the first block.
    public func headCertificate() throws -> QuorumCertificate? {
        try writer.read { db in
            try Data.fetchOne(db, sql: "SELECT certificate FROM committedBlock ORDER BY height DESC LIMIT 1")
                .map { try QuorumCertificate(serialized: Array($0)) }
        }
    }

    /// Appends a certified block (already checked by `NodeConsensus`) with the digest of the
    /// governed state after it and, if given, a JSON view of that state, in one transaction.
    public func append(_ certified: CertifiedBlock, stateDigest: [UInt8], snapshot: Data?) throws {
        try writer.write { db in
            let b = certified.block
            try db.execute(sql: "INSERT INTO committedBlock (height, hash, timestamp, block, certificate) VALUES (?, ?, ?, ?, ?)",
                           arguments: [Int64(b.height), Data(b.hash.bytes), Int64(b.timestamp), Data(b.serialized),
                                       Data(certified.certificate.serialized)])
            try db.execute(sql: "INSERT INTO stateDigest (height, digest) VALUES (?, ?)", arguments: [Int64(b.height), Data(stateDigest)])
            if let snapshot { try Self.store(snapshot, height: b.height, in: db) }
        }
    }

    /// Replaces the JSON view of the governed state with the one at `height`.
    public func storeSnapshot(_ snapshot: Data, height: UInt64) throws {
        try writer.write { db in try Self.store(snapshot, height: height, in: db) }
    }

    private static func store(_ snapshot: Data, height: UInt64, in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO governanceSnapshot (id, height, json) VALUES (1, ?, ?)
            ON CONFLICT(id) DO UPDATE SET height = excluded.height, json = excluded.json
            """, arguments: [Int64(height), snapshot])
    }

    /// The committed blocks' table, the same in the working store and the archive.
    static func createCommittedBlockTable(_ db: Database) throws {
        try db.create(table: "committedBlock") { t in
            t.primaryKey("height", .integer)
            t.column("hash", .blob).notNull().unique()
            t.column("timestamp", .integer).notNull()
            t.column("block", .blob).notNull()
            t.column("certificate", .blob).notNull()
        }
    }

    /// The state digests' table, the same in the working store and the archive.
    static func createStateDigestTable(_ db: Database) throws {
        try db.create(table: "stateDigest") { t in
            t.primaryKey("height", .integer)
            t.column("digest", .blob).notNull()
        }
    }

    /// The digest of the governed state after each committed height, in height order, the
    /// archived heights' included (`prune(through:)`).
    public func stateDigests() throws -> [(height: UInt64, digest: [UInt8])] {
        let sql = "SELECT height, digest FROM stateDigest ORDER BY height"
        let working = try writer.read { db in try Self.digestRows(db, sql: sql) }
        guard let archive = try openArchive() else { return working }
        let lowest = working.first?.height ?? .max
        return try archive.read { db in try Self.digestRows(db, sql: sql) }.filter { $0.height < lowest } + working
    }

    /// The (height, digest) rows `sql` selects from a `stateDigest` table.
    static func digestRows(_ db: Database, sql: String) throws -> [(height: UInt64, digest: [UInt8])] {
        try Row.fetchAll(db, sql: sql).map { row in
            let height: Int64 = row["height"]
            let digest: Data = row["digest"]
            return (UInt64(height), Array(digest))
        }
    }

    /// The height of the stored JSON view of the governed state, nil before the first block:
    /// a reader that polls decodes the view again only when it moved.
    public func snapshotHeight() throws -> UInt64? {
        try writer.read { db in try Int64.fetchOne(db, sql: "SELECT height FROM governanceSnapshot WHERE id = 1").map { UInt64($0) } }
    }

    /// The JSON view of the governed state at the head, nil before the first block.
    public func snapshot() throws -> Data? {
        try writer.read { db in try Data.fetchOne(db, sql: "SELECT json FROM governanceSnapshot WHERE id = 1") }
    }

    /// Every committed block in height order: the archived ones (`prune(through:)`), then the
    /// working store's; the whole log, for an export. Refuses when blocks were pruned and the
    /// archive is not there.
    public func blocks() throws -> [CertifiedBlock] {
        var all: [CertifiedBlock] = []
        var height: UInt64 = 0
        while true {
            let page = try blocks(after: height, limit: 1024)
            guard let last = page.last else { break }
            all += page
            height = last.block.height
        }
        return all
    }

    /// Up to `limit` committed blocks above `height`, in height order, from the working store
    /// or, below its lowest block, from the archive; a gap (pruned blocks whose archive is
    /// missing) is refused, naming the heights.
    public func blocks(after height: UInt64, limit: Int) throws -> [CertifiedBlock] {
        let working = try Self.blocks(in: writer, after: height, limit: limit)
        if let first = working.first, first.block.height != height + 1 {
            guard let archive = try openArchive() else {
                throw ClusterAPIError(.blocksMissing, "blocks \(height + 1) to \(first.block.height - 1) were pruned to \(archivePath), which is missing")
            }
            let archived = try Self.blocks(in: archive, after: height, limit: limit)
            guard let a = archived.first, a.block.height == height + 1 else {
                throw ClusterAPIError(.blocksMissing, "block \(height + 1) is neither in the working store nor in \(archivePath)")
            }
            return archived
        }
        return working
    }

    static func blocks(in reader: any DatabaseReader, after height: UInt64, limit: Int) throws -> [CertifiedBlock] {
        try reader.read { db in
            try Row.fetchAll(db, sql: "SELECT block, certificate FROM committedBlock WHERE height > ? ORDER BY height LIMIT ?",
                             arguments: [Int64(height), limit]).map { row in
                let block: Data = row["block"]
                let certificate: Data = row["certificate"]
                return CertifiedBlock(block: try Block(serialized: Array(block)),
                                      certificate: try QuorumCertificate(serialized: Array(certificate)))
            }
        }
    }
}
