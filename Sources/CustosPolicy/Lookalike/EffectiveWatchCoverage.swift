/// How far a chain is covered for the poisoned test (review helper-58 M2: no single watcher key
/// decides it): of the current watchers' own coverages (`WatchCoverage`), `block` is the highest
/// block at least `minWatchers` of them reported through, `since` the first block from which
/// `minWatchers` of those reported every block up to it, and `blockTime` the `minWatchers`-th
/// latest chain time among those reaching `block` (each the `minWatchers`-th highest: a watcher that
/// claims more, or less, than the others moves none of them). So a watcher that leaves a dust
/// transfer out of its range cannot carry the coverage past what another watcher reported
/// (whose report flags the dust), and one that ends its range on a made-up hash stalls only its
/// own coverage. Watchers on different forks each extend their own coverage on their own chain:
/// the effective coverage counts block numbers, not hashes, and the flags of every fork count.
public struct EffectiveWatchCoverage: Sendable, Hashable {
    public let block: UInt64
    public let since: UInt64
    public let blockTime: Int64
    /// The `minWatchers`-th latest block time at which a watcher's coverage was extended.
    public let reportedAt: Int64
    /// The watchers whose coverage reaches `block`, sorted.
    public let watchers: [String]
    public let minWatchers: Int

    /// The effective coverage of `coverages` (by watcher), or nil when fewer than `minWatchers`
    /// (at least 1) watchers cover the chain.
    public init?(_ coverages: [String: WatchCoverage], minWatchers: Int) {
        let k = max(1, minWatchers)
        guard coverages.count >= k else { return nil }
        func kthHighest<T: Comparable>(_ values: [T]) -> T { values.sorted(by: >)[k - 1] }
        let block = kthHighest(coverages.values.map(\.block))
        let reaching = coverages.filter { $0.value.block >= block }
        self.block = block
        self.since = reaching.values.map(\.since).sorted()[k - 1]
        // Of the watchers reaching `block` (review of watch6 L2: not one that stopped short of it).
        self.blockTime = reaching.values.map(\.blockTime).sorted(by: >)[k - 1]
        self.reportedAt = kthHighest(coverages.values.map(\.reportedAt))
        self.watchers = reaching.keys.sorted()
        self.minWatchers = k
    }

    /// Each watcher's coverage in words, sorted by watcher: "watcher-1 up to block 120 (of
    /// 2026-12-06 10:00 UTC)".
    public static func words(_ coverages: [String: WatchCoverage]) -> String {
        coverages.sorted { $0.key < $1.key }.map { "\($0.key) up to block \($0.value.block) (of \(UTCTime.text($0.value.blockTime)))" }
            .joined(separator: ", ")
    }
}
