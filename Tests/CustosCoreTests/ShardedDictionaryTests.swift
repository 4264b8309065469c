import CustosCore
import Foundation
import Testing

@Suite struct ShardedDictionaryTests {
    @Test func itBehavesAsADictionaryWithValueSemantics() {
        var d = ShardedDictionary<String, Int>()
        var reference: [String: Int] = [:]
        #expect(d.isEmpty && d.count == 0)
        for i in 0..<5_000 {
            d["key \(i)"] = i
            reference["key \(i)"] = i
        }
        // Overwriting and removing keep the count exact; removing an absent key changes nothing.
        for i in stride(from: 0, to: 5_000, by: 3) { d["key \(i)"] = -i; reference["key \(i)"] = -i }
        for i in stride(from: 1, to: 5_000, by: 7) { d["key \(i)"] = nil; reference["key \(i)"] = nil }
        d["absent"] = nil
        #expect(d.count == reference.count)
        #expect(Set(d.keys) == Set(reference.keys))
        #expect(d.values.reduce(0, +) == reference.values.reduce(0, +))
        #expect(Dictionary(uniqueKeysWithValues: d.map { ($0.key, $0.value) }) == reference)

        // A copy changed afterwards leaves the original as it was, and the other way round.
        var copy = d
        copy["key 2"] = 42
        copy["new"] = 1
        #expect(d["key 2"] == reference["key 2"] && d["new"] == nil && d.count == reference.count)
        #expect(copy.count == reference.count + 1 && copy != d)
        d["new"] = 1
        d["key 2"] = 42
        #expect(copy == d, "equal content is equal whatever the order of writes")
        #expect(copy.hashValue == d.hashValue)
    }

    @Test func filterKeepsWhatItNamesAndCountsIt() {
        var d = ShardedDictionary<String, Int64>()
        for i in 0..<1_000 { d["n\(i)"] = Int64(i) }
        let kept = d.filter { $1 >= 900 }
        #expect(kept.count == 100 && Set(kept.keys) == Set((900..<1_000).map { "n\($0)" }))
        #expect(d.count == 1_000, "the original is unchanged")
    }

    @Test func itEncodesAsTheDictionaryItHolds() throws {
        var d = ShardedDictionary<String, Int64>()
        for i in 0..<50 { d["k\(i)"] = Int64(i) }
        let plain = Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0)", Int64($0)) })
        let encoded = try JSONEncoder().encode(d)
        #expect(try JSONDecoder().decode([String: Int64].self, from: encoded) == plain)
        #expect(try JSONDecoder().decode(ShardedDictionary<String, Int64>.self, from: JSONEncoder().encode(plain)) == d)
    }
}
