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
    static let a = "0x" + String(repeating: "aa", count: 32)
    static let b = "0x" + String(repeating: "bb", count: 32)

    @Test func aSetIsFullOnlyWhenItsBudgetIsSpent() {
        var set = WatchFloodSet(chain: "ethereum", budget: 10)
        for i in 0..<10 {
            #expect(!set.isFull)
            let added = set.insert(Self.key(i), transaction: Self.a, block: 5)
            #expect(added)
        }
        #expect(set.isFull && set.count == 10)
        // A member again is still a member; a new one is left out.
        let again = set.insert(Self.key(3), transaction: Self.b, block: 6)
        let beyond = set.insert(Self.key(10), transaction: Self.b, block: 6)
        #expect(again && !beyond)
        #expect(!set.contains(Self.key(10)) && set.flood(of: Self.key(10)) == nil)
        #expect(set.flood(of: Self.key(3)) == WatchFlood(transaction: Self.a, block: 5, members: 10), "the first flood stays its reason")
        #expect(set.transactions == [WatchFlood(transaction: Self.a, block: 5, members: 10)])
    }

    @Test func membersLeaveByFloodByBlockOrOneByOne() {
        var set = WatchFloodSet(chain: "ethereum")
        for i in 0..<50 { _ = set.insert(Self.key(i), transaction: i < 30 ? Self.a : Self.b, block: i < 30 ? 5 : 9) }
        #expect(set.transactions.map(\.members) == [30, 20])
        let removed = set.clear(Self.key(40))
        let twice = set.clear(Self.key(40))
        #expect(removed && !twice, "not a member twice")
        #expect(set.flood(of: Self.key(41))?.members == 19)
        let ofA = set.remove { $0.transaction == Self.a }
        #expect(ofA == 30)
        #expect(!set.contains(Self.key(0)) && set.contains(Self.key(41)) && set.count == 19)
        let before9 = set.remove { $0.block < 9 }
        let before10 = set.remove { $0.block < 10 }
        #expect(before9 == 0 && before10 == 19)
        #expect(set.count == 0 && set.transactions.isEmpty)
    }

    @Test func theDigestFollowsTheHistoryNotTheMembersAlone() {
        var one = WatchFloodSet(chain: "ethereum"), two = WatchFloodSet(chain: "ethereum")
        #expect(one == two)
        _ = one.insert(Self.key(1), transaction: Self.a, block: 5)
        #expect(one != two)
        _ = two.insert(Self.key(1), transaction: Self.a, block: 5)
        #expect(one == two && one.digest == two.digest)
        // The same members, planted by another transaction, or in another order, differ.
        var three = WatchFloodSet(chain: "ethereum")
        _ = three.insert(Self.key(1), transaction: Self.b, block: 5)
        #expect(three.digest != one.digest)
        _ = one.insert(Self.key(2), transaction: Self.a, block: 5)
        _ = one.insert(Self.key(3), transaction: Self.a, block: 5)
        _ = two.insert(Self.key(3), transaction: Self.a, block: 5)
        _ = two.insert(Self.key(2), transaction: Self.a, block: 5)
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
        _ = set.insert(Self.key(1), transaction: Self.a, block: 5)
        _ = set.insert(Self.key(2), transaction: Self.a, block: 5)
        let wasMember = set.clear(Self.key(1))
        #expect(wasMember)
        #expect(set.isCleared(Self.key(1)) && !set.isCleared(Self.key(2)))
        let ground = set.insert(Self.key(1), transaction: Self.b, block: 6)
        #expect(!ground && !set.contains(Self.key(1)) && set.flood(of: Self.key(1)) == nil && set.count == 1)
        #expect(set.contains(Self.key(2)))
        // An address cleared before any flood named it (a flag cleared one by one) is kept out too.
        let neverMember = set.clear(Self.key(3))
        #expect(!neverMember)
        let later = set.insert(Self.key(3), transaction: Self.b, block: 7)
        #expect(!later && set.flood(of: Self.key(3)) == nil)
        let four = set.insert(Self.key(4), transaction: Self.b, block: 7)
        let five = set.insert(Self.key(5), transaction: Self.b, block: 7)
        #expect(four && five, "the budget was not spent")
    }
}
