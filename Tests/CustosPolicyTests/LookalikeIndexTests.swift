import CustosCore
@testable import CustosPolicy
import Testing

/// The look-alike index (`LookalikeIndex`) finds exactly what comparing a destination with every
/// address-book entry finds: the same first entry in document order and the same reason, for
/// every setting of the `lookalike` section, on a book of generated addresses and destinations
/// made from its entries by the edits an attacker would grind for.
@Suite struct LookalikeIndexTests {
    /// SplitMix64: a deterministic stream, so that a failure is reproducible from its seed.
    struct Stream {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func digit() -> UInt8 { Array("0123456789abcdef".utf8)[below(16)] }
        mutating func digits(_ count: Int) -> [UInt8] { (0..<count).map { _ in digit() } }
    }

    /// The definition, written plainly: every cell of the Levenshtein table.
    static func fullEditDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var previous = Array(0...b.count)
        var current = previous
        for (i, x) in a.enumerated() {
            current[0] = i + 1
            for (j, y) in b.enumerated() { current[j + 1] = min(previous[j] + (x == y ? 0 : 1), previous[j + 1] + 1, current[j] + 1) }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The test as the policy defines it, comparing with every entry in document order.
    static func reference(_ rules: LookalikePolicy, book: [[UInt8]], query: [UInt8]) -> AddressResemblance? {
        for (i, entry) in book.enumerated() where entry != query {
            if rules.prefix + rules.suffix > 0, entry.prefix(rules.prefix) == query.prefix(rules.prefix),
               entry.suffix(rules.suffix) == query.suffix(rules.suffix) {
                return AddressResemblance(entry: i, reason: .affixes(prefix: rules.prefix, suffix: rules.suffix))
            }
            // The distance itself is checked against the full table below; here the index is.
            if rules.maxEditDistance > 0, let d = LookalikeIndex.editDistance(entry, query, atMost: rules.maxEditDistance) {
                return AddressResemblance(entry: i, reason: .editDistance(d))
            }
        }
        return nil
    }

    static func entry(_ digits: [UInt8]) -> CompiledPolicy.Entry {
        .init(name: "e", chain: 0, address: "0x" + String(decoding: digits, as: UTF8.self), counterparty: -1,
              counterpartyName: nil, tags: BitSet(capacity: 0), tagNames: [])
    }

    /// `edits` random substitutions, insertions and deletions of `digits`, kept at 40 digits
    /// (an insertion drops the last digit, a deletion appends one), as an address must be.
    static func edited(_ digits: [UInt8], edits: Int, _ s: inout Stream) -> [UInt8] {
        var d = digits
        for _ in 0..<edits {
            switch s.below(3) {
            case 0: d[s.below(40)] = s.digit()
            case 1: d.insert(s.digit(), at: s.below(41)); d.removeLast()
            default: d.remove(at: s.below(40)); d.append(s.digit())
            }
        }
        return d
    }

    @Test(arguments: [
        LookalikePolicy(), LookalikePolicy(prefix: 0, suffix: 0, maxEditDistance: 3), LookalikePolicy(prefix: 6, suffix: 0, maxEditDistance: 1),
        LookalikePolicy(prefix: 2, suffix: 2, maxEditDistance: 8), LookalikePolicy(prefix: 16, suffix: 16, maxEditDistance: 0),
        LookalikePolicy(prefix: 0, suffix: 0, maxEditDistance: 0),
    ])
    func theIndexFindsWhatComparingWithEveryEntryFinds(rules: LookalikePolicy) {
        var s = Stream(state: UInt64(rules.prefix * 1000 + rules.suffix * 10 + rules.maxEditDistance))
        var book = (0..<60).map { _ in s.digits(40) }
        // Near neighbours inside the book, and one address twice (two chains), so that the first
        // entry in document order matters.
        for i in 0..<20 { book.append(Self.edited(book[i], edits: 1 + i % 3, &s)) }
        book.append(book[7])
        let index = LookalikeIndex(rules, entries: book.map(Self.entry))
        var found = 0
        for round in 0..<400 {
            let base = book[s.below(book.count)]
            let query: [UInt8] = switch round % 4 {
            case 0: s.digits(40)
            case 1: Self.edited(base, edits: 1 + s.below(max(1, rules.maxEditDistance + 2)), &s)
            case 2: Array(base.prefix(rules.prefix)) + s.digits(40 - rules.prefix - rules.suffix) + Array(base.suffix(rules.suffix))
            default: base
            }
            let expected = Self.reference(rules, book: book, query: query)
            let address = "0x" + String(decoding: query, as: UTF8.self)
            #expect(index.resemblance(of: address) == expected, "\(address)")
            #expect(index.resemblance(of: "0x" + String(decoding: query, as: UTF8.self).uppercased()) == expected)
            if expected != nil { found += 1 }
        }
        // The generated destinations do resemble entries, when a test is on: the comparison above
        // compares findings, not only nils.
        if rules.prefix + rules.suffix > 0 || rules.maxEditDistance > 0 { #expect(found > 50) } else { #expect(found == 0) }
    }

    @Test func theBandedDistanceIsTheLevenshteinDistanceWithinItsBound() {
        var s = Stream(state: 99)
        for _ in 0..<2000 {
            let a = s.digits(s.below(12))
            let b = s.below(2) == 0 ? s.digits(s.below(12)) : Self.edited(a + [UInt8](repeating: 0x30, count: 40 - a.count), edits: s.below(4), &s).prefix(a.count + s.below(3)).map { $0 }
            let bound = s.below(6)
            let d = Self.fullEditDistance(a, b)
            #expect(LookalikeIndex.editDistance(a, b, atMost: bound) == (d <= bound ? d : nil), "\(a) \(b) \(bound)")
        }
    }

    @Test func notAnEVMAddressResemblesNothing() {
        let index = LookalikeIndex(LookalikePolicy(), entries: [Self.entry(Array(String(repeating: "ab", count: 20).utf8))])
        #expect(index.resemblance(of: "0x" + String(repeating: "ab", count: 20)) == nil)
        #expect(index.resemblance(of: "0x" + String(repeating: "ab", count: 19) + "ac") != nil)
        for hostile in ["", "0x", "0x" + String(repeating: "ab", count: 19) + "a", "0x" + String(repeating: "ab", count: 19) + "zz",
                        "ab" + String(repeating: "ab", count: 20), "0x" + String(repeating: "ab", count: 21)] {
            #expect(index.resemblance(of: hostile) == nil, "\(hostile)")
        }
    }
}
