import CustosCore
import Foundation
import GRDB

extension NodeDatabase {
    /// Records that this node gave up `round` (and every earlier round) at `height`, with the
    /// signed round change to send, before it is sent; from then on `recordVote` refuses a vote
    /// at that height in a round up to the highest round given up. Giving up a lower round
    /// than one already given up keeps the higher one. A restored node gives up no round before
    /// it knows where its original may have voted, nor at a height up to its floor, nor at a
    /// height above it its original may have voted at (`restoredNotVoting`): its round change
    /// would list none of the votes its original may have cast there — unless
    /// `restorationListing` says the change lists what the other members' round changes there
    /// allow (`RestorationFloor.listing`).
    /// Answers the round change to send: `change` itself.
    public func recordRoundChange(height: UInt64, round: UInt32, change: [UInt8], restorationListing: Bool = false) throws(StorageError) -> [UInt8] {
        guard !change.isEmpty, height <= UInt64(Int64.max) else {
            throw StorageError(.invalidInput, "a round change needs a height and the round change bytes")
        }
        return try write { db throws(StorageError) -> [UInt8] in
            try Self.checkRestorationFloor(db, height: height, round: round, roundChange: true, listing: restorationListing)
            try Self.run {
                try db.execute(sql: """
                    INSERT INTO roundChange (height, round, change) VALUES (?, ?, ?)
                    ON CONFLICT(height) DO UPDATE SET round = excluded.round, change = excluded.change WHERE excluded.round >= roundChange.round
                    """, arguments: [Int64(height), Int64(round), Data(change)])
            }
            return change
        }
    }

    /// The highest round given up at `height`, with its signed round change; nil if none.
    public func roundChange(at height: UInt64) throws(StorageError) -> (round: UInt32, change: [UInt8])? {
        try read("reading round changes") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT round, change FROM roundChange WHERE height = ?", arguments: [Int64(height)])
            else { return nil }
            let round: Int64 = row["round"]
            let change: Data = row["change"]
            return (UInt32(round), Array(change))
        }
    }

    /// This node's votes at `height`, in ascending rounds.
    public func votes(at height: UInt64) throws(StorageError) -> [(round: UInt32, blockHash: [UInt8], vote: [UInt8])] {
        try read("reading votes") { db in
            try Row.fetchAll(db, sql: "SELECT round, blockHash, vote FROM vote WHERE height = ? ORDER BY round",
                             arguments: [Int64(height)]).map { row in
                let round: Int64 = row["round"]
                let hash: Data = row["blockHash"]
                let vote: Data = row["vote"]
                return (UInt32(round), Array(hash), Array(vote))
            }
        }
    }
}
