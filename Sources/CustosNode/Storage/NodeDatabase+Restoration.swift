import CustosCore
import Foundation
import GRDB

extension NodeDatabase {
    /// A node restored from a backup: the nonce its `node.restored` entry carries, and the places
    /// (height, round) its original may have voted at, once known — every height up to `floor`,
    /// and above it the heights of `rounds`, each up to the round it names (`RestorationFloor`).
    /// `floor` is nil until one is known; `entryHeight` is the height its `node.restored` entry
    /// committed at, nil until it has; `announced` says a gateway accepted that entry.
    public struct Restoration: Sendable, Equatable {
        public let nonce: [UInt8]
        public let floor: UInt64?
        public let rounds: [UInt64: UInt32]
        public let entryHeight: UInt64?
        public let announced: Bool

        public init(nonce: [UInt8], floor: UInt64?, rounds: [UInt64: UInt32] = [:], entryHeight: UInt64? = nil, announced: Bool = false) {
            self.nonce = nonce
            self.floor = floor
            self.rounds = rounds
            self.entryHeight = entryHeight
            self.announced = announced
        }

        /// Whether this node may vote at (`height`, `round`): a place its original cannot have voted at.
        public func allowsVoting(at height: UInt64, round: UInt32) -> Bool {
            guard let floor, height > floor else { return false }
            return rounds[height].map { round > $0 } ?? true
        }

        /// Whether this node may give up a round at `height` only with a change listing what the
        /// other members' round changes allow (`RestorationFloor.listing`): a height above its
        /// floor its original may have voted at. Its change must list what its original voted
        /// for there, in any round.
        public func needsListing(at height: UInt64) -> Bool {
            guard let floor, height > floor else { return false }
            return rounds[height] != nil
        }

        /// Whether every place `other` leaves free is free here too: `other` covers no more.
        func coversAtMost(_ other: Restoration) -> Bool {
            guard let mine = floor else { return false }
            guard let theirs = other.floor else { return true }
            return mine <= theirs && rounds.allSatisfy { height, round in
                height <= theirs || other.rounds[height].map { round <= $0 } ?? false
            }
        }
    }

    /// Marks this node restored from a backup, with the random `nonce` its `node.restored` entry
    /// will carry: from now on it casts no vote and gives up no round (`recordVote`,
    /// `recordRoundChange`) until `liftRestorationFloor` records where its original may have
    /// voted, and then only elsewhere. Its backup holds no record of its original's votes. A
    /// node marked before is marked again with the new nonce, its floor gone: an entry or a
    /// statement of the earlier restore no longer counts.
    public func markRestored(nonce: [UInt8]) throws(StorageError) {
        guard nonce.count == 32 else { throw StorageError(.invalidInput, "a restoration nonce has 32 bytes") }
        try write { db throws(StorageError) in
            try Self.run {
                try db.execute(sql: """
                    INSERT INTO restoration (one, nonce, floor, entryHeight, announced) VALUES (1, ?, NULL, NULL, 0)
                    ON CONFLICT(one) DO UPDATE SET nonce = excluded.nonce, floor = NULL, entryHeight = NULL, announced = 0;
                    DELETE FROM restorationRound;
                    """, arguments: [Data(nonce)])
            }
        }
    }

    /// This node's restoration, nil if it was never restored from a backup.
    public func restoration() throws(StorageError) -> Restoration? {
        try read("reading the restoration") { db in try Self.restoration(db) }
    }

    private static func restoration(_ db: Database) throws -> Restoration? {
        guard let row = try Row.fetchOne(db, sql: "SELECT nonce, floor, entryHeight, announced FROM restoration WHERE one = 1") else { return nil }
        let nonce: Data = row["nonce"]
        let floor: Int64? = row["floor"]
        let entry: Int64? = row["entryHeight"]
        let announced: Bool = row["announced"]
        var rounds: [UInt64: UInt32] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT height, round FROM restorationRound") {
            let height: Int64 = row["height"]
            let round: Int64 = row["round"]
            rounds[UInt64(height)] = UInt32(round)
        }
        return Restoration(nonce: Array(nonce), floor: floor.map(UInt64.init), rounds: rounds, entryHeight: entry.map(UInt64.init),
                           announced: announced)
    }

    /// Records that a gateway accepted this node's `node.restored` entry for the restore that
    /// drew `nonce`: it is not submitted again (a gateway's queue is durable). Nothing for a
    /// nonce of another restore.
    public func markRestorationAnnounced(nonce: [UInt8]) throws(StorageError) {
        try write { db throws(StorageError) in
            try Self.run { try db.execute(sql: "UPDATE restoration SET announced = 1 WHERE one = 1 AND nonce = ?", arguments: [Data(nonce)]) }
        }
    }

    /// Records that the certified block at `height` carries this node's `node.restored` entry
    /// with `nonce`: no vote of its original is above that height (the entry's nonce was drawn
    /// after the original stopped), so every height up to it is its floor — unless a floor
    /// recorded before leaves no more places free. Where the entry committed is recorded once.
    public func liftRestorationFloor(nonce: [UInt8], to height: UInt64) throws(StorageError) {
        try lift(nonce: nonce, to: Restoration(nonce: nonce, floor: height), entryHeight: height)
    }

    /// Records the floor the other members' voting records give (`RestorationFloor`): every
    /// height up to `committed`, and the heights of `rounds` up to the round each names —
    /// unless a floor recorded before leaves no more places free.
    public func liftRestorationFloor(nonce: [UInt8], committed: UInt64, rounds: [UInt64: UInt32]) throws(StorageError) {
        try lift(nonce: nonce, to: Restoration(nonce: nonce, floor: committed, rounds: rounds.filter { $0.key > committed }), entryHeight: nil)
    }

    /// Both floors bound the original's votes, so the one that leaves more places free is kept.
    /// Refused (`invalidInput`, nothing changed) for a nonce that is not the one of its restore
    /// — an entry or statements of an earlier restore, replayed — and when it was never restored.
    private func lift(nonce: [UInt8], to floor: Restoration, entryHeight: UInt64?) throws(StorageError) {
        let heights = [floor.floor, entryHeight].compactMap { $0 } + Array(floor.rounds.keys)
        guard heights.allSatisfy({ $0 <= UInt64(Int64.max) }) else { throw StorageError(.invalidInput, "a height up to 2^63 - 1") }
        try write { db throws(StorageError) in
            guard let recorded = try Self.run({ try Self.restoration(db) }) else {
                throw StorageError(.invalidInput, "this node was not restored from a backup")
            }
            guard recorded.nonce == nonce else {
                throw StorageError(.invalidInput, "the restoration floor is for another nonce than this node's restore drew")
            }
            try Self.run {
                if let entryHeight, recorded.entryHeight == nil {
                    try db.execute(sql: "UPDATE restoration SET entryHeight = ? WHERE one = 1", arguments: [Int64(entryHeight)])
                }
                guard recorded.floor == nil || floor.coversAtMost(recorded) else { return }
                try db.execute(sql: "UPDATE restoration SET floor = ? WHERE one = 1", arguments: [floor.floor.map(Int64.init)])
                try db.execute(sql: "DELETE FROM restorationRound")
                for (height, round) in floor.rounds {
                    try db.execute(sql: "INSERT INTO restorationRound (height, round) VALUES (?, ?)", arguments: [Int64(height), Int64(round)])
                }
            }
        }
    }

    /// Refuses (`restoredNotVoting`) a restored node's vote at a place its original may have
    /// voted at, and its `roundChange` at a height up to its floor, or at a height above it its
    /// original may have voted at without a `listing` (see `recordRoundChange`): read in the
    /// transaction that would record it.
    /// So does every vote and round change of a node whose identity was restored elsewhere
    /// (`SigningHaltRecord.Cause.restoredElsewhere`).
    static func checkRestorationFloor(_ db: Database, height: UInt64, round: UInt32, roundChange: Bool = false,
                                      listing: Bool = false) throws(StorageError) {
        let what = roundChange ? "round change" : "vote"
        if let elsewhere = try run({ try Int64.fetchOne(db, sql: "SELECT height FROM signingHalt WHERE cause = ?",
                                                        arguments: [SigningHaltRecord.Cause.restoredElsewhere.rawValue]) }) {
            throw StorageError(.restoredNotVoting, SigningHaltRecord.restoredElsewhereReason(height: UInt64(elsewhere)))
        }
        guard let restoration = try run({ try restoration(db) }) else { return }
        guard let floor = restoration.floor else {
            throw StorageError(.restoredNotVoting,
                               "this node was restored from a backup and casts no \(what) until it knows where its original voted")
        }
        let allowed = if !roundChange { restoration.allowsVoting(at: height, round: round) }
            else if restoration.needsListing(at: height) { listing }
            else { height > floor }
        guard !allowed else { return }
        let rounds = restoration.rounds[height].map { ", and rounds up to \($0) at height \(height)" } ?? ""
        throw StorageError(.restoredNotVoting,
                           "this node was restored from a backup and its original may have voted at every height up to \(floor)\(rounds); "
                               + "no \(what) at height \(height) round \(round)")
    }
}

extension NodeDatabase {
    /// What this node tells a restored member about its own voting (`VotingRecordStatement`):
    /// the highest place (height, round) it voted at, and its round change at the highest height
    /// it gave up a round at (the highest round there), as it signed it.
    public func votingRecord() throws(StorageError) -> (lastVote: (height: UInt64, round: UInt32)?, lastRoundChange: [UInt8]?) {
        try read("reading the voting record") { db in
            let vote = try Row.fetchOne(db, sql: "SELECT height, round FROM vote ORDER BY height DESC, round DESC LIMIT 1").map { row in
                let height: Int64 = row["height"]
                let round: Int64 = row["round"]
                return (UInt64(height), UInt32(round))
            }
            let change = try Data.fetchOne(db, sql: "SELECT change FROM roundChange ORDER BY height DESC LIMIT 1")
            return (vote, change.map(Array.init))
        }
    }
}
