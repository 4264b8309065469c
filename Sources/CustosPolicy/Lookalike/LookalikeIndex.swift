/// The address book's EVM addresses, prepared once per compiled policy for the look-alike test
/// (`LookalikePolicy`): each entry's 40 hex digits in lowercase ASCII, in document order. A
/// request's test reads them without allocating: the book is small, but it runs on every
/// request to a destination outside it.
struct LookalikeIndex: Sendable {
    struct Candidate: Sendable {
        /// Index into `CompiledPolicy.entries`.
        let entry: Int
        let digits: [UInt8]
    }

    let rules: LookalikePolicy
    let candidates: [Candidate]

    init(_ rules: LookalikePolicy, entries: [CompiledPolicy.Entry]) {
        self.rules = rules
        candidates = entries.indices.compactMap { i in Self.hexDigits(entries[i].address).map { Candidate(entry: i, digits: $0) } }
    }

    /// The 40 hex digits of an EVM address (`0x` and 40 hex digits), lowercased; nil otherwise.
    static func hexDigits(_ address: String) -> [UInt8]? {
        let utf8 = address.utf8
        guard utf8.count == 42, address.hasPrefix("0x") || address.hasPrefix("0X") else { return nil }
        var digits: [UInt8] = []
        digits.reserveCapacity(40)
        for c in utf8.dropFirst(2) {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): digits.append(c)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digits.append(c + 0x20)
            default: return nil
            }
        }
        return digits
    }

    /// The first entry, in document order, that `address` resembles, or nil. `address` is a
    /// destination outside the address book on its chain; an entry with exactly its address (on
    /// another chain) is that address, not a look-alike of it.
    func resemblance(of address: String) -> AddressResemblance? {
        guard !candidates.isEmpty, let digits = Self.hexDigits(address) else { return nil }
        let (prefix, suffix, distance) = (rules.prefix, rules.suffix, rules.maxEditDistance)
        for candidate in candidates where candidate.digits != digits {
            if prefix + suffix > 0, digits[..<prefix] == candidate.digits[..<prefix],
               digits[(40 - suffix)...] == candidate.digits[(40 - suffix)...] {
                return AddressResemblance(entry: candidate.entry, reason: .affixes(prefix: prefix, suffix: suffix))
            }
            if distance > 0, let d = Self.editDistance(digits, candidate.digits, atMost: distance) {
                return AddressResemblance(entry: candidate.entry, reason: .editDistance(d))
            }
        }
        return nil
    }

    /// The Levenshtein distance between `a` and `b` if it is at most `bound`, else nil; stops
    /// as soon as every cell of a row exceeds the bound.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], atMost bound: Int) -> Int? {
        guard abs(a.count - b.count) <= bound else { return nil }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for (i, x) in a.enumerated() {
            current[0] = i + 1
            var rowMinimum = current[0]
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j] + (x == y ? 0 : 1), previous[j + 1] + 1, current[j] + 1)
                rowMinimum = min(rowMinimum, current[j + 1])
            }
            if rowMinimum > bound { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= bound ? previous[b.count] : nil
    }
}
