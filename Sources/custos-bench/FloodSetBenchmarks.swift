import CustosPolicy

/// The watch room's flood set (review helper-54 M3): a node checks each block on a copy of the
/// state, so inserting one report's members into a set of a million must cost about what it
/// costs in an empty one, not a copy of the million. Baseline: copy an empty set and insert a
/// block of 24 new members (one watch report's worth); against it, the same into a set of
/// 1,000,000, and the copy of one plain dictionary of a million members the set used to be.
enum FloodSetBenchmarks {
    static func run() throws -> String {
        let n = 24
        let hash = TransactionHash(hex: "0x" + String(repeating: "ab", count: 32))!
        func key(_ i: Int) -> String { "ethereum/0x" + String(repeating: "0", count: 24) + String(i, radix: 16).leftPadded(16) }
        var large = WatchFloodSet(chain: "ethereum", budget: 2_000_000)
        for i in 0..<1_000_000 { _ = large.insert(key(i), transaction: hash, block: 100, reporter: "watcher-1") }
        precondition(large.count == 1_000_000)
        let empty = WatchFloodSet(chain: "ethereum", budget: 2_000_000)
        var plain: [UInt128: UInt32] = [:]
        for i in 0..<1_000_000 { plain[WatchFloodSet.fingerprint(key(i))] = 0 }
        var next = 2_000_000
        func block(into set: WatchFloodSet) {
            var copy = set
            for _ in 0..<n {
                _ = copy.insert(key(next), transaction: hash, block: 101, reporter: "watcher-1")
                next += 1
            }
            blackHole(copy.count)
        }
        let baseline = measure("copy an empty flood set, insert \(n) members", iterations: 300, warmup: 10) { block(into: empty) }
        var section = Section("Watch room flood set: a block of \(n) new members, on a copy of the state", baseline: baseline)
        section.add(measureInterleaved("copy a set of 1,000,000, insert \(n) members", iterations: 300, baseline: { block(into: empty) }) {
            block(into: large)
        }, note: "goal ≤ 2× (a block copies only the shards its members fall in)")
        section.add(measure("copy one dictionary of 1,000,000 fingerprints, insert \(n) (the set before)", iterations: 20, warmup: 2) {
            var copy = plain
            for _ in 0..<n {
                copy[WatchFloodSet.fingerprint(key(next))] = 1
                next += 1
            }
            blackHole(copy.count)
        })
        return section.render()
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - utf8.count)) + self }
}
