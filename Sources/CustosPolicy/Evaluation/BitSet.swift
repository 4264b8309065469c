/// A fixed set of small non-negative integers (interned names), for membership tests without
/// hashing during evaluation.
struct BitSet: Sendable, Hashable {
    private(set) var words: [UInt64]

    init(capacity: Int) { words = Array(repeating: 0, count: max(1, (capacity + 63) / 64)) }

    init(_ members: some Sequence<Int>, capacity: Int) {
        self.init(capacity: capacity)
        for m in members { insert(m) }
    }

    mutating func insert(_ member: Int) {
        precondition(member >= 0 && member / 64 < words.count)
        words[member >> 6] |= 1 << UInt64(member & 63)
    }

    /// Whether `member` is in the set; negative members (unknown names) never are.
    @inline(__always)
    func contains(_ member: Int) -> Bool {
        guard member >= 0, member >> 6 < words.count else { return false }
        return words[member >> 6] & (1 << UInt64(member & 63)) != 0
    }

    func intersects(_ other: BitSet) -> Bool {
        for i in 0..<min(words.count, other.words.count) where words[i] & other.words[i] != 0 { return true }
        return false
    }

    /// The members of both, with this set's capacity.
    func intersection(_ other: BitSet) -> BitSet {
        var result = self
        for i in 0..<words.count { result.words[i] &= i < other.words.count ? other.words[i] : 0 }
        return result
    }

    func isSubset(of other: BitSet) -> Bool {
        for i in 0..<words.count {
            let o = i < other.words.count ? other.words[i] : 0
            if words[i] & ~o != 0 { return false }
        }
        return true
    }

    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    var members: [Int] {
        var result: [Int] = []
        for (i, w) in words.enumerated() where w != 0 {
            for b in 0..<64 where w & (1 << UInt64(b)) != 0 { result.append(i * 64 + b) }
        }
        return result
    }
}
