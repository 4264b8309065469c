import CustosPolicy
import CustosState

/// How far the watchers of one environment cover one chain, as the API shows it (`GET
/// /v1/watch/{chain}/coverage?environment=E`, and each chain of `GET /v1/watch`): the effective
/// coverage the poisoned test of that environment's vaults reads (how far
/// `poisoning.min_watchers` current watchers of it each reported: review helper-58 M2), and each
/// current watcher's own, sorted by watcher. A watcher reads its own coverage here before it
/// moves its cursor.
public struct WatchCoverageView: Codable, Sendable, Equatable {
    public struct Watcher: Codable, Sendable, Equatable {
        public var watcher: String
        /// Blocks `since` through `block` were reported without a gap; `blockHash` and
        /// `blockTime` are those the watcher named for `block`, `reportedAt` the block time of the
        /// report that last extended it.
        public var since: UInt64
        public var block: UInt64
        public var blockHash: String
        public var blockTime: Int64
        public var reportedAt: Int64
    }

    public var chain: String
    /// The environment whose watchers and vaults it is (issue 14 item 5).
    public var environment: String
    public var minWatchers: Int
    /// The effective coverage: blocks `coveredSince` through `coveredBlock`, each reported by at
    /// least `minWatchers` watchers (`coveredBy`: those reaching `coveredBlock`), up to chain
    /// time `coveredTime`; `coveredAt` the block time at which they reached it. Absent while
    /// fewer than `minWatchers` watchers cover the chain.
    public var coveredBlock: UInt64?
    public var coveredSince: UInt64?
    public var coveredTime: Int64?
    public var coveredAt: Int64?
    public var coveredBy: [String]
    /// The highest effective block the chain reached since the quorum last cleared its coverage
    /// (absent before): a watcher's first range counts only when it starts at or below the block
    /// after it, so a watcher without coverage reads from here.
    public var mark: UInt64?
    /// `poisoning.max_staleness` in seconds (absent when unset), and whether the effective
    /// coverage is older than that in chain time, or missing (the poisoned test is unknown then).
    public var maxStaleness: Int?
    public var stale: Bool
    public var watchers: [Watcher]

    /// `chain`'s coverage by the watchers of `environment` in `state`.
    public init(chain: String, environment: DeploymentEnvironment, in state: ReplicatedState) {
        let coverages = state.watchCoverages(in: environment)[chain] ?? [:]
        let minimum = state.policy.document.poisoning.minWatchers
        // The state's own effective coverage, the one its transition raises the mark by.
        let effective = state.watchCoverage(in: environment)[chain]
        self.chain = chain
        self.environment = environment.rawValue
        minWatchers = minimum
        coveredBlock = effective?.block
        coveredSince = effective?.since
        coveredTime = effective?.blockTime
        coveredAt = effective?.reportedAt
        coveredBy = effective?.watchers ?? []
        mark = state.watch(environment).marks[chain]
        let bound = state.policy.document.poisoning.maxStalenessSeconds
        maxStaleness = bound
        stale = bound.map { bound in effective.map { Int64(state.time / 1000) - $0.blockTime > Int64(bound) } ?? true } ?? false
        watchers = coverages.sorted { $0.key < $1.key }.map {
            Watcher(watcher: $0.key, since: $0.value.since, block: $0.value.block, blockHash: $0.value.blockHash, blockTime: $0.value.blockTime,
                    reportedAt: $0.value.reportedAt)
        }
    }

    /// The coverage of `watcher`, if it covers the chain.
    public func coverage(by watcher: String) -> Watcher? { watchers.first { $0.watcher == watcher } }
}
