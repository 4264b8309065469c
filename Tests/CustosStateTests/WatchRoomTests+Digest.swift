import BigInt
import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
@testable import CustosState
import Testing

/// Issue 17 review (tests that prove less): every part of the watch room enters the state
/// digest. The cluster's vault key is generated afresh each run, so the digest cannot be pinned
/// in hex here (the flood set's running digest is, in `WatchFloodSetTests`); instead each part is
/// added to a state step by step, two nodes applying the same entry agree, and a node applying
/// an entry that differs only in that part disagrees.
extension WatchRoomTests {
    @Test func everyPartOfTheWatchRoomMovesTheDigest() throws {
        var c = try cluster()
        let second = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
        try c.registerBot("watcher-2", key: second.publicKey, roles: [WatchEntry.watcherRole])
        c.state.watch.floodRecordCap = 1
        let v = try Self.vaultAddress(c)
        func flood(_ first: Int, _ count: Int, _ transaction: String, block: UInt64 = 100) -> [WatchedTransfer] {
            (0..<count).map { Self.transfer(v, from: Self.counterparty(first + $0), amount: 0, block: block, transaction: transaction) }
        }
        /// Applies `entry` to the state and to a copy (they agree), and `variant` to another
        /// copy (it disagrees).
        func step(_ what: String, _ entry: Entry, variant: Entry) {
            var same = c
            var other = c
            c.apply(entry)
            same.apply(entry)
            other.apply(variant)
            #expect(c.state.digest == same.state.digest, "\(what): two nodes agree")
            #expect(c.state.digest != other.state.digest, "\(what) enters the digest")
        }
        // A flood member with its own record (16 flagged one by one, 2 in the flood set); the
        // variant's 18th counterparty differs.
        step("a flood member", try reportEntry(&c, flood(0, 18, Self.transaction(1))),
             variant: try reportEntry(&c, flood(0, 17, Self.transaction(1)) + flood(500, 1, Self.transaction(1))))
        #expect(c.state.watch.floodSets["ethereum"]?.transactionCount == 1 && c.state.watch.count == 16)
        // Beyond the record cap, a summary; the variant's member is of another block.
        step("a flood summary", try reportEntry(&c, flood(100, 17, Self.transaction(2), block: 101), block: 102),
             variant: try reportEntry(&c, flood(100, 16, Self.transaction(2), block: 101) + flood(116, 1, Self.transaction(2), block: 102), block: 102))
        #expect(c.state.watch.floodSets["ethereum"]?.summaries.map(\.members) == [1] && c.state.watch.count == 32)
        // Watcher-2's own coverage; the variant covers a block less.
        step("a watcher's coverage", try reportEntry(&c, [], from: 1, block: 102, keyId: "watcher-2", key: second),
             variant: try reportEntry(&c, [], from: 1, block: 101, keyId: "watcher-2", key: second))
        #expect(c.state.watch.coverage(by: "watcher-2", on: "ethereum")?.block == 102)
        // Watcher-2 corroborates a flagged counterparty and a flood member; the variant another
        // flood member in the same transaction and block.
        step("a corroborated flag and flood member",
             try reportEntry(&c, flood(0, 1, Self.transaction(3)) + flood(16, 1, Self.transaction(3)), from: 100, block: 102, keyId: "watcher-2", key: second),
             variant: try reportEntry(&c, flood(0, 1, Self.transaction(3)) + flood(17, 1, Self.transaction(3)), from: 100, block: 102, keyId: "watcher-2", key: second))
        #expect(c.state.watch.corroborations.count == 1 && c.state.watch.floodSets["ethereum"]?.corroboratedCount == 1)
        // An executed clearance (the transition `execute` runs for it, outside a block here, so
        // the digest cache is reset as applying a block does): the same clearance agrees, another
        // disagrees.
        var same = c
        var other = c
        try c.state.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-1", operationId: "clear-1")
        try same.state.clearWatchFlag(chain: "ethereum", target: "reporter:watcher-1", operationId: "clear-1")
        try other.state.clearWatchFlag(chain: "ethereum", target: "below:101", operationId: "clear-1")
        c.state.digestCache = StateDigestCache()
        same.state.digestCache = StateDigestCache()
        other.state.digestCache = StateDigestCache()
        #expect(c.state.digest == same.state.digest && c.state.digest != other.state.digest)
        // What it kept (watcher-2's corroborations) is in the room, attributed to watcher-2 (its
        // flood member in watcher-2's summary: the record cap was reached).
        #expect(c.state.watch.appearances.values.map(\.reporter) == ["watcher-2"])
        #expect(c.state.watch.floodSets["ethereum"]?.count == 1 && c.state.watch.floodSets["ethereum"]?.summaries.map(\.reporter) == ["watcher-2"])
    }
}
