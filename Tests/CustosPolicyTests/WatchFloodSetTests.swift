import Crypto
@testable import CustosPolicy
import Foundation
import Testing

/// Third review H-2: the watch room's per-chain flood set keeps every dust counterparty it has
/// room for, in the order given, and is full only when its budget is spent; removing members by
/// flood, by block or one by one leaves the rest; its running digest tells two histories apart
/// without comparing members.
@Suite struct WatchFloodSetTests {
    static func key(_ i: Int) -> String { "ethereum/0x" + String(repeating: "0", count: 32) + String(format: "%08x", i) }
    static let a = TransactionHash(hex: "0x" + String(repeating: "aa", count: 32))!
    static let b = TransactionHash(hex: "0x" + String(repeating: "bb", count: 32))!

    @Test func aSetIsFullOnlyWhenItsBudgetIsSpent() {
        var set = WatchFloodSet(chain: "ethereum", budget: 10)
        for i in 0..<10 {
            #expect(!set.isFull)
            let added = set.insert(Self.key(i), transaction: Self.a, block: 5, reporter: "w")
            #expect(added)
        }
        #expect(set.isFull && set.count == 10)
        // A member again is still a member; a new one is left out.
        let again = set.insert(Self.key(3), transaction: Self.b, block: 6, reporter: "w")
        let beyond = set.insert(Self.key(10), transaction: Self.b, block: 6, reporter: "w")
        #expect(again && !beyond)
        #expect(!set.contains(Self.key(10)) && set.flood(of: Self.key(10)) == nil)
        #expect(set.flood(of: Self.key(3)) == WatchFlood(transaction: Self.a, reporter: "w", block: 5, members: 10), "the first flood stays its reason")
        #expect(set.transactions == [WatchFlood(transaction: Self.a, reporter: "w", block: 5, members: 10)])
    }

    @Test func membersLeaveByFloodByBlockOrOneByOne() {
        var set = WatchFloodSet(chain: "ethereum")
        for i in 0..<50 { _ = set.insert(Self.key(i), transaction: i < 30 ? Self.a : Self.b, block: i < 30 ? 5 : 9, reporter: "w") }
        #expect(set.transactions.map(\.members) == [30, 20])
        let removed = set.clear(Self.key(40))
        let twice = set.clear(Self.key(40))
        #expect(removed && !twice, "not a member twice")
        #expect(set.flood(of: Self.key(41))?.members == 19)
        let ofA = set.remove { $0.transaction == Self.a }.removed
        #expect(ofA == 30)
        #expect(!set.contains(Self.key(0)) && set.contains(Self.key(41)) && set.count == 19)
        let before9 = set.remove { $0.block < 9 }.removed
        let before10 = set.remove { $0.block < 10 }.removed
        #expect(before9 == 0 && before10 == 19)
        #expect(set.count == 0 && set.transactions.isEmpty)
    }

    /// Review helper-64 M2: a member a second watcher reports too stays when the first
    /// watcher's records are removed, counted in the second's; it leaves only with both. The
    /// first watcher's own report again, or a third watcher's, corroborates nothing.
    @Test func aCorroboratedMemberStaysUntilBothRecordsGo() {
        var set = WatchFloodSet(chain: "ethereum")
        for i in 0..<4 { _ = set.insert(Self.key(i), transaction: Self.a, block: 5, reporter: "w1") }
        set.corroborate(Self.key(0), transaction: Self.a, block: 5, reporter: "w1")
        #expect(set.corroboratedCount == 0, "the same watcher does not corroborate itself")
        set.corroborate(Self.key(0), transaction: Self.b, block: 6, reporter: "w2")
        set.corroborate(Self.key(1), transaction: Self.b, block: 6, reporter: "w2")
        let before = set.digest
        set.corroborate(Self.key(1), transaction: Self.b, block: 6, reporter: "w3")
        set.corroborate(Self.key(9), transaction: Self.b, block: 6, reporter: "w2")
        #expect(set.corroboratedCount == 2 && set.digest == before, "one corroboration per member, of members only")
        #expect(set.corroboration(of: Self.key(0))?.reporter == "w2" && set.corroboration(of: Self.key(2)) == nil)
        let ofW1 = set.remove { $0.reporter == "w1" }
        #expect(ofW1.removed == 2 && ofW1.kept == 2)
        #expect(set.count == 2 && set.contains(Self.key(0)) && set.contains(Self.key(1)) && !set.contains(Self.key(2)))
        #expect(set.flood(of: Self.key(0)) == WatchFlood(transaction: Self.b, reporter: "w2", block: 6, members: 2), "now the second watcher's")
        #expect(set.corroboratedCount == 0 && set.transactions.map(\.reporter) == ["w2"])
        let ofW2 = set.remove { $0.reporter == "w2" }
        #expect(ofW2.removed == 2 && ofW2.kept == 0 && set.count == 0 && set.transactions.isEmpty)

        // The corroborating record goes first: the member stays with its first record; an
        // address cleared goes with both.
        var other = WatchFloodSet(chain: "ethereum")
        for i in 0..<2 { _ = other.insert(Self.key(i), transaction: Self.a, block: 5, reporter: "w1") }
        for i in 0..<2 { other.corroborate(Self.key(i), transaction: Self.b, block: 6, reporter: "w2") }
        let ofB = other.remove { $0.transaction == Self.b }
        #expect(ofB.removed == 0 && ofB.kept == 2 && other.count == 2 && other.corroboratedCount == 0)
        other.corroborate(Self.key(0), transaction: Self.b, block: 6, reporter: "w2")
        #expect(other.clear(Self.key(0)) && other.corroboratedCount == 0 && other.transactions.map(\.reporter) == ["w1"])
    }

    @Test func theDigestFollowsTheHistoryNotTheMembersAlone() {
        var one = WatchFloodSet(chain: "ethereum"), two = WatchFloodSet(chain: "ethereum")
        #expect(one == two)
        _ = one.insert(Self.key(1), transaction: Self.a, block: 5, reporter: "w")
        #expect(one != two)
        _ = two.insert(Self.key(1), transaction: Self.a, block: 5, reporter: "w")
        #expect(one == two && one.digest == two.digest)
        // The same members, planted by another transaction, or in another order, differ.
        var three = WatchFloodSet(chain: "ethereum")
        _ = three.insert(Self.key(1), transaction: Self.b, block: 5, reporter: "w")
        #expect(three.digest != one.digest)
        _ = one.insert(Self.key(2), transaction: Self.a, block: 5, reporter: "w")
        _ = one.insert(Self.key(3), transaction: Self.a, block: 5, reporter: "w")
        _ = two.insert(Self.key(3), transaction: Self.a, block: 5, reporter: "w")
        _ = two.insert(Self.key(2), transaction: Self.a, block: 5, reporter: "w")
        #expect(one.count == two.count && one.digest != two.digest)
        // Another chain's set of the same keys differs from the start.
        #expect(WatchFloodSet(chain: "base").digest != WatchFloodSet(chain: "ethereum").digest)
        // A fingerprint is 16 bytes of SHA-256 of the tagged canonical key (fourth review M2:
        // 2^-128 per lookup and member of a false one), and different for another address.
        let hash = Array(SHA256.hash(data: Array("custos.watch.flood\n\(Self.key(1))".utf8)))
        let expected = hash.prefix(16).reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
        #expect(WatchFloodSet.fingerprint(Self.key(1)) == expected)
        #expect(WatchFloodSet.fingerprint(Self.key(1)) >> 64 != 0, "the high half is used")
        #expect(WatchFloodSet.fingerprint(Self.key(1)) != WatchFloodSet.fingerprint(Self.key(2)))
        // A clearance enters the digest, member or not.
        let before = one.digest
        _ = one.clear(Self.key(99))
        #expect(one.digest != before)
    }

    /// Fourth review M2, as the attacker: a counterparty the quorum cleared must not be denied
    /// again by a second address ground onto its fingerprint. The set knows addresses only by
    /// fingerprint, so the cleared key itself stands for every address sharing it: once cleared
    /// it is never read as a member, and no later insert of its fingerprint adds anything (nor
    /// spends the budget); other members are untouched.
    @Test func aClearedFingerprintIsNeverAMemberAgain() {
        var set = WatchFloodSet(chain: "ethereum", budget: 3)
        _ = set.insert(Self.key(1), transaction: Self.a, block: 5, reporter: "w")
        _ = set.insert(Self.key(2), transaction: Self.a, block: 5, reporter: "w")
        let wasMember = set.clear(Self.key(1))
        #expect(wasMember)
        #expect(set.isCleared(Self.key(1)) && !set.isCleared(Self.key(2)))
        let ground = set.insert(Self.key(1), transaction: Self.b, block: 6, reporter: "w")
        #expect(!ground && !set.contains(Self.key(1)) && set.flood(of: Self.key(1)) == nil && set.count == 1)
        #expect(set.contains(Self.key(2)))
        // An address cleared before any flood named it (a flag cleared one by one) is kept out too.
        let neverMember = set.clear(Self.key(3))
        #expect(!neverMember)
        let later = set.insert(Self.key(3), transaction: Self.b, block: 7, reporter: "w")
        #expect(!later && set.flood(of: Self.key(3)) == nil)
        let four = set.insert(Self.key(4), transaction: Self.b, block: 7, reporter: "w")
        let five = set.insert(Self.key(5), transaction: Self.b, block: 7, reporter: "w")
        #expect(four && five, "the budget was not spent")
    }
}


/// Review helper-54 M3: a flood set's memory and the work of a block are bounded. A million
/// one-member floods used to cost a record each (a hash string, some 250 MB per chain); records
/// are now capped, beyond the cap a watcher's members share one summary that still answers for
/// them, hashes are 32 bytes, and the listing is kept in order instead of sorted per call.
extension WatchFloodSetTests {
    static func hash(_ i: Int) -> TransactionHash { TransactionHash(hex: "0x" + String(repeating: "0", count: 56) + String(format: "%08x", i))! }

    /// A fixed history: 3,000 members from three floods over two blocks, one cleared one by one,
    /// one flood removed by hash.
    static func pinnedHistory() -> WatchFloodSet {
        var set = WatchFloodSet(chain: "ethereum")
        let c = TransactionHash(hex: "0x" + String(repeating: "CC", count: 32))!
        for i in 0..<3_000 { _ = set.insert(key(i), transaction: [a, b, c][i % 3], block: i % 3 == 2 ? 9 : 5, reporter: "w") }
        _ = set.clear(key(7))
        // Watcher w2 corroborates a member of a and one of b (review helper-64 M2): b's stays.
        set.corroborate(key(0), transaction: c, block: 9, reporter: "w2")
        set.corroborate(key(1), transaction: c, block: 9, reporter: "w2")
        _ = set.remove { $0.transaction == b }
        return set
    }

    /// The running digest of a fixed history is pinned. Sharding the members and keeping hashes
    /// as 32 bytes left it as d2af36d gave it (f7f1bd73…, pinned in the commit that made them);
    /// folding each member's watcher in (set tag v3, review helper-54 M1) gave 84cabb99…; set
    /// tag v4 and two corroborations (review helper-64 M2) give this one.
    @Test func theDigestOfAFixedHistoryIsPinned() {
        let set = Self.pinnedHistory()
        #expect(set.count == 2_001 && set.corroboratedCount == 1)
        #expect(set.digest.map { String(format: "%02x", $0) }.joined() == "bc34e8f2a69f565d27f0d2be941966d14b5eb25117e86d9927e4e261dd608201")
        // The watcher enters it: the same history from another watcher differs.
        var other = WatchFloodSet(chain: "ethereum"), same = WatchFloodSet(chain: "ethereum")
        _ = other.insert(Self.key(1), transaction: Self.a, block: 5, reporter: "w2")
        _ = same.insert(Self.key(1), transaction: Self.a, block: 5, reporter: "w")
        #expect(other.digest != same.digest)
    }

    /// As the attacker: 1,000 one-member floods from two watchers into a set that keeps 8
    /// records. The records never exceed the cap (counted after every insert), every member still
    /// answers with its record or its watcher's summary, and the counts add up.
    @Test func aSetFilledToItsRecordCapKeepsAnsweringWithASummary() {
        var set = WatchFloodSet(chain: "ethereum", recordCap: 8)
        for i in 0..<1_000 {
            let added = set.insert(Self.key(i), transaction: Self.hash(i), block: UInt64(100 + i), reporter: i % 2 == 0 ? "w-even" : "w-odd")
            #expect(added)
            if set.transactionCount > 8 || set.summaries.count > 2 { Issue.record("\(set.transactionCount) records after \(i + 1) floods"); break }
        }
        #expect(set.count == 1_000 && set.transactionCount == 8)
        #expect(set.summaries.map(\.reporter) == ["w-even", "w-odd"])
        #expect(set.summaries.map(\.members) == [496, 496])
        #expect(set.summaries[0].block == 108 && set.summaries[0].lastBlock == 1_098)
        #expect(set.transactions.reduce(0) { $0 + $1.members } + set.summaries.reduce(0) { $0 + $1.members } == set.count)
        for i in [0, 7, 8, 9, 500, 999] {
            let flood = set.flood(of: Self.key(i))
            #expect(flood != nil, "member \(i) answers")
            #expect(flood?.reporter == (i % 2 == 0 ? "w-even" : "w-odd"))
            #expect(flood?.isSummary == (i >= 8), "member \(i): \(String(describing: flood))")
        }
        #expect(!set.contains(Self.key(1_000)))
        // A transaction with its own record keeps taking members past the cap.
        let past = set.insert(Self.key(2_000), transaction: Self.hash(3), block: 103, reporter: "w-odd")
        #expect(past)
        #expect(set.flood(of: Self.key(2_000))?.transaction == Self.hash(3) && set.transactionCount == 8)
        // By transaction: only own records; a summary's members leave by block once past its last.
        let byTransaction = set.remove { $0.transaction == Self.hash(500) }.removed
        let byBlock = set.remove { $0.lastBlock < 1_099 }.removed
        #expect(byTransaction == 0 && byBlock == 8 + 1 + 496)
        #expect(set.summaries.map(\.reporter) == ["w-odd"] && set.transactionCount == 0)
        // Records freed: the next flood gets its own again.
        let fresh = set.insert(Self.key(3_000), transaction: Self.hash(3_000), block: 2_000, reporter: "w-odd")
        #expect(fresh)
        #expect(set.flood(of: Self.key(3_000))?.isSummary == false)
    }

    /// The listing is kept in order (block, hash, watcher) as floods arrive in any order, and
    /// reading the first few reads no more.
    @Test func theListingIsKeptInOrderWithoutSorting() {
        var set = WatchFloodSet(chain: "ethereum")
        let blocks: [UInt64] = [9, 3, 7, 3, 1, 9, 5]
        for (i, block) in blocks.enumerated() {
            _ = set.insert(Self.key(i), transaction: Self.hash(100 - i), block: block, reporter: "w")
            _ = set.insert(Self.key(50 + i), transaction: Self.hash(100 - i), block: block, reporter: "v")
        }
        let listed = set.transactions.map { ($0.block, $0.transaction!, $0.reporter) }
        #expect(listed.map(\.0) == [1, 3, 3, 5, 7, 9, 9].flatMap { [$0, $0] })
        #expect(zip(listed, listed.dropFirst()).allSatisfy { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) })
        #expect(set.transactions(first: 3).map(\.block) == [1, 1, 3])
        _ = set.remove { $0.block == 3 }
        #expect(set.transactions.map(\.block) == [1, 1, 5, 5, 7, 7, 9, 9, 9, 9])
    }

    @Test func aTransactionHashIsThirtyTwoBytesReadInEitherCase() throws {
        let text = "0x" + String(repeating: "0123456789abcdef", count: 4)
        let hash = try #require(TransactionHash(hex: text))
        #expect(hash.hex == text && TransactionHash(hex: text.uppercased().replacingOccurrences(of: "0X", with: "0x")) == hash)
        #expect(MemoryLayout<TransactionHash>.size == 32)
        for bad in ["", "0x", String(text.dropLast()), text + "0", "1x" + text.dropFirst(2), "0x" + String(repeating: "g", count: 64),
                    "0x+" + String(repeating: "1", count: 63)] {
            #expect(TransactionHash(hex: bad) == nil, "\(bad)")
        }
        #expect(Self.hash(1) < Self.hash(2) && Self.hash(0xffff_ffff) < Self.a)
    }
}
