/// The address book's EVM addresses, indexed once per compiled policy for the look-alike test
/// (`LookalikePolicy`), so that a request to a destination outside the book costs a few hash
/// lookups and a handful of bounded comparisons, however large the book.
///
/// Two exact filters find every entry that can pass a test, and only those are compared:
/// - the affix test: entries keyed by their first `prefix` and last `suffix` hex digits;
/// - the edit-distance test with bound k: each entry's 40 digits cut into k + 1 blocks. k
///   edits break at most k blocks, so an entry within k edits of a destination has a block
///   that appears unchanged in the destination, shifted by at most k places. The destination's
///   substrings at those places are looked up; the entries found are compared with a banded
///   edit distance that stops once every cell of a row exceeds k.
struct LookalikeIndex: Sendable {
    /// A run of at most 32 hex digits, four bits each, and which block (or the affixes) it is.
    struct Key: Hashable, Sendable {
        let slot: Int
        let high: UInt64
        let low: UInt64
    }

    let rules: LookalikePolicy
    /// Index into `CompiledPolicy.entries` of each EVM entry, in document order.
    let entries: [Int]
    /// The entries' 40 lowercase hex digits (ASCII), back to back, in the order of `entries`.
    let digits: [UInt8]
    /// Affix key (slot -1) and block keys (slot = block number) → positions in `entries`, ascending.
    let positions: [Key: [Int]]

    static let length = 40
    static let affixSlot = -1

    init(_ rules: LookalikePolicy, entries: [CompiledPolicy.Entry]) {
        self.rules = rules
        var indices: [Int] = []
        var digits: [UInt8] = []
        var positions: [Key: [Int]] = [:]
        for (i, entry) in entries.enumerated() {
            guard let d = Self.hexDigits(entry.address) else { continue }
            let position = indices.count
            indices.append(i)
            digits.append(contentsOf: d)
            d.withUnsafeBufferPointer { d in
                if let key = Self.affixKey(d, rules) { positions[key, default: []].append(position) }
                for block in Self.blocks(rules.maxEditDistance) {
                    positions[Self.key(d, slot: block.number, from: block.start, count: block.count), default: []].append(position)
                }
            }
        }
        self.entries = indices
        self.digits = digits
        self.positions = positions
    }

    /// The 40 hex digits of an EVM address (`0x` and 40 hex digits), lowercased; nil otherwise.
    static func hexDigits(_ address: String) -> [UInt8]? {
        let utf8 = address.utf8
        guard utf8.count == 2 + length, address.hasPrefix("0x") || address.hasPrefix("0X") else { return nil }
        var digits: [UInt8] = []
        digits.reserveCapacity(length)
        for c in utf8.dropFirst(2) {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): digits.append(c)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digits.append(c + 0x20)
            default: return nil
            }
        }
        return digits
    }

    /// The first entry, in document order, that `address` resembles, or nil. An entry with
    /// exactly its address is not compared (it is that address; `CompiledPolicy.flag` decides
    /// what the same address on another chain is), so an entry's own address resembles only
    /// other entries. `affixesOnly` leaves the edit-distance test out (for an address in the
    /// book: see `CompiledPolicy.flag`).
    func resemblance(of address: String, affixesOnly: Bool = false) -> AddressResemblance? {
        guard !entries.isEmpty, let query = Self.hexDigits(address) else { return nil }
        let (prefix, suffix, distance) = (rules.prefix, rules.suffix, affixesOnly ? 0 : rules.maxEditDistance)
        return query.withUnsafeBufferPointer { query -> AddressResemblance? in
            var found: [Int] = []
            if let key = Self.affixKey(query, rules), let hits = positions[key] { found += hits }
            for block in Self.blocks(distance) {
                for shift in -distance...distance {
                    let start = block.start + shift
                    guard start >= 0, start + block.count <= Self.length,
                          let hits = positions[Self.key(query, slot: block.number, from: start, count: block.count)] else { continue }
                    found += hits
                }
            }
            guard !found.isEmpty else { return nil }
            found.sort()
            return digits.withUnsafeBufferPointer { all -> AddressResemblance? in
                var last = -1
                for position in found where position != last {
                    last = position
                    let candidate = UnsafeBufferPointer(rebasing: all[position * Self.length ..< (position + 1) * Self.length])
                    guard !candidate.elementsEqual(query) else { continue }
                    if prefix + suffix > 0, candidate.prefix(prefix).elementsEqual(query.prefix(prefix)),
                       candidate.suffix(suffix).elementsEqual(query.suffix(suffix)) {
                        return AddressResemblance(entry: entries[position], reason: .affixes(prefix: prefix, suffix: suffix))
                    }
                    if distance > 0, let d = Self.editDistance(query, candidate, atMost: distance) {
                        return AddressResemblance(entry: entries[position], reason: .editDistance(d))
                    }
                }
                return nil
            }
        }
    }

    /// The blocks the edit-distance filter cuts 40 digits into for bound `k`: k + 1 of them
    /// (each at most 20 digits long, as k ≥ 1), none when the test is off.
    static func blocks(_ k: Int) -> [(number: Int, start: Int, count: Int)] {
        guard k > 0 else { return [] }
        return (0...k).map { j in
            let start = j * length / (k + 1)
            return (j, start, (j + 1) * length / (k + 1) - start)
        }
    }

    /// The affix key of 40 digits, or nil when the affix test is off.
    static func affixKey(_ d: UnsafeBufferPointer<UInt8>, _ rules: LookalikePolicy) -> Key? {
        guard rules.prefix + rules.suffix > 0 else { return nil }
        return Key(slot: affixSlot, high: pack(d, from: 0, count: rules.prefix),
                   low: pack(d, from: length - rules.suffix, count: rules.suffix))
    }

    /// The key of `count` (at most 32) digits of `d` from `start`.
    static func key(_ d: UnsafeBufferPointer<UInt8>, slot: Int, from start: Int, count: Int) -> Key {
        let high = min(count, 16)
        return Key(slot: slot, high: pack(d, from: start, count: high), low: pack(d, from: start + high, count: count - high))
    }

    /// `count` (at most 16) lowercase hex digits of `d` from `start` as one number.
    static func pack(_ d: UnsafeBufferPointer<UInt8>, from start: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for c in d[start ..< start + count] {
            value = value << 4 | UInt64(c <= UInt8(ascii: "9") ? c &- UInt8(ascii: "0") : c &- UInt8(ascii: "a") &+ 10)
        }
        return value
    }

    /// The Levenshtein distance between `a` and `b` if it is at most `bound`, else nil.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], atMost bound: Int) -> Int? {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in editDistance(a, b, atMost: bound) } }
    }

    /// The Levenshtein distance between `a` and `b` if it is at most `bound`, else nil. Only the
    /// cells within `bound` of the diagonal are computed (any path leaving that band costs more
    /// than `bound`), in two rows on the stack, and it stops as soon as every cell of a row
    /// exceeds the bound.
    static func editDistance(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, atMost bound: Int) -> Int? {
        let (n, m) = (a.count, b.count)
        guard bound >= 0, abs(n - m) <= bound else { return nil }
        guard n > 0 else { return m }
        let width = 2 * bound + 1
        let beyond = bound + 1
        // Row i holds the cells (i, j) for j in i - bound ... i + bound, at offset j - i + bound.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * width) { cells -> Int? in
            var previous = cells.baseAddress!
            var current = previous + width
            for o in 0 ..< width {
                let j = o - bound
                previous[o] = j >= 0 && j <= m ? j : beyond
            }
            for i in 1 ... n {
                var rowMinimum = beyond
                for o in 0 ..< width {
                    let j = i + o - bound
                    guard j >= 0, j <= m else {
                        current[o] = beyond
                        continue
                    }
                    var best = j == 0 ? i : previous[o] + (a[i - 1] == b[j - 1] ? 0 : 1)
                    if j > 0, o > 0 { best = min(best, current[o - 1] + 1) }
                    if o + 1 < width { best = min(best, previous[o + 1] + 1) }
                    current[o] = min(best, beyond)
                    rowMinimum = min(rowMinimum, current[o])
                }
                if rowMinimum > bound { return nil }
                swap(&previous, &current)
            }
            let d = previous[m - n + bound]
            return d <= bound ? d : nil
        }
    }
}
