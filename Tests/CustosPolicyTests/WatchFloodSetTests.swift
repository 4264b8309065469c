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
        let removed = set.remove(Self.key(40))
        let twice = set.remove(Self.key(40))
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
        // A fingerprint is 8 bytes of SHA-256 of the canonical key: fixed, and different for
        // another address (2^-64 per lookup of a false member).
        #expect(WatchFloodSet.fingerprint(Self.key(1)) == WatchFloodSet.fingerprint(Self.key(1)))
        #expect(WatchFloodSet.fingerprint(Self.key(1)) != WatchFloodSet.fingerprint(Self.key(2)))
    }
}
