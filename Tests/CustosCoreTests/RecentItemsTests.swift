import CustosCore
import Testing

/// `RecentItems`, the ring buffer that keeps the most recent elements (the approvals room's
/// flagged approvals): it holds exactly what an array trimmed from the front would, in the same
/// order, whatever the capacity and however many are appended.
@Suite struct RecentItemsTests {
    @Test(arguments: [1, 2, 3, 7, 10])
    func keepsTheMostRecentInAppendOrderAsATrimmedArrayWould(capacity: Int) {
        var recent = RecentItems<Int>(capacity: capacity)
        var model: [Int] = []
        #expect(recent.isEmpty)
        for value in 0..<(3 * capacity + 2) {
            recent.append(value)
            model.append(value)
            if model.count > capacity { model.removeFirst(model.count - capacity) }
            #expect(Array(recent) == model, "after appending \(value) with capacity \(capacity)")
            #expect(recent.count == model.count && recent.last == model.last && recent.first == model.first)
        }
        #expect(Array(recent) == Array((2 * capacity + 2)..<(3 * capacity + 2)))
    }

    @Test func indicesAreThoseOfTheKeptElements() {
        var recent = RecentItems<String>(capacity: 3)
        for s in ["a", "b", "c", "d", "e"] { recent.append(s) }
        #expect(recent.indices == 0..<3)
        #expect([recent[0], recent[1], recent[2]] == ["c", "d", "e"])
        #expect(recent.map { $0.uppercased() } == ["C", "D", "E"])
    }
}
