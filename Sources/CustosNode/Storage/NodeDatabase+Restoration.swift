import CustosCore
import Foundation
import GRDB

extension NodeDatabase {
    /// A node restored from a backup: the nonce its `node.restored` entry carries, and the height
    /// of the certified block that carried it (nil until this node has seen one).
    public struct Restoration: Sendable, Equatable {
        public let nonce: [UInt8]
        public let floor: UInt64?

        /// Whether this node may vote, or give up a round, at `height`.
        public func allowsVoting(at height: UInt64) -> Bool { floor.map { height > $0 } ?? false }
    }

    /// Marks this node restored from a backup, with the random `nonce` its `node.restored` entry
    /// will carry: from now on it casts no vote and gives up no round (`recordVote`,
    /// `recordRoundChange`) until `liftRestorationFloor(nonce:to:)` records the height its entry
    /// committed at, and then only above it. Its backup holds no record of its original's votes;
    /// that height is above all of them, since no block certified before the restore can carry
    /// a nonce drawn by it. A node marked before is marked again with the new nonce, its floor
    /// gone: an entry of the earlier restore no longer counts.
    public func markRestored(nonce: [UInt8]) throws(StorageError) {
        guard nonce.count == 32 else { throw StorageError(.invalidInput, "a restoration nonce has 32 bytes") }
        try write { db throws(StorageError) in
            try Self.run {
                try db.execute(sql: "INSERT INTO restoration (one, nonce, floor) VALUES (1, ?, NULL) ON CONFLICT(one) DO UPDATE SET nonce = excluded.nonce, floor = NULL",
                               arguments: [Data(nonce)])
            }
        }
    }

    /// This node's restoration, nil if it was never restored from a backup.
    public func restoration() throws(StorageError) -> Restoration? {
        try read("reading the restoration") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT nonce, floor FROM restoration WHERE one = 1") else { return nil }
            let nonce: Data = row["nonce"]
            let floor: Int64? = row["floor"]
            return Restoration(nonce: Array(nonce), floor: floor.map(UInt64.init))
        }
    }

    /// Records that the certified block at `height` carries this node's `node.restored` entry
    /// with `nonce`: from now on it votes above `height`. Refused (`invalidInput`, nothing
    /// changed) for a nonce that is not the one of its restore — an entry of an earlier restore,
    /// replayed — and when it was never restored; a floor recorded before is kept.
    public func liftRestorationFloor(nonce: [UInt8], to height: UInt64) throws(StorageError) {
        guard height <= UInt64(Int64.max) else { throw StorageError(.invalidInput, "a height up to 2^63 - 1") }
        try write { db throws(StorageError) in
            guard let row = try Self.run({ try Row.fetchOne(db, sql: "SELECT nonce, floor FROM restoration WHERE one = 1") }) else {
                throw StorageError(.invalidInput, "this node was not restored from a backup")
            }
            let stored: Data = row["nonce"]
            guard Array(stored) == nonce else {
                throw StorageError(.invalidInput, "the restoration entry carries another nonce than this node's restore drew")
            }
            let floor: Int64? = row["floor"]
            guard floor == nil else { return }
            try Self.run { try db.execute(sql: "UPDATE restoration SET floor = ? WHERE one = 1", arguments: [Int64(height)]) }
        }
    }

    /// Refuses (`restoredNotVoting`) a vote or round change at `height` by a restored node whose
    /// floor is not above it: read in the transaction that would record it.
    static func checkRestorationFloor(_ db: Database, height: UInt64, what: String) throws(StorageError) {
        guard let row = try run({ try Row.fetchOne(db, sql: "SELECT floor FROM restoration WHERE one = 1") }) else { return }
        let floor: Int64? = row["floor"]
        guard let floor else {
            throw StorageError(.restoredNotVoting,
                               "this node was restored from a backup and casts no \(what) until its node.restored entry is committed")
        }
        guard Int64(height) > floor else {
            throw StorageError(.restoredNotVoting,
                               "this node was restored from a backup; its node.restored entry committed at height \(floor), so no \(what) at height \(height)")
        }
    }
}
