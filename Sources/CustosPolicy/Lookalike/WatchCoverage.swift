/// How far one watcher's reports cover one chain, as the replicated state holds it (security
/// review M4; one per watcher since review helper-58 M2): every block from `since` (the first
/// block of its first complete range) through `block` was reported by watcher `reporter`, for
/// every vault address the cluster held, each range starting on the hash of the block its own
/// coverage ended on. `blockTime` is the chain's own timestamp (seconds) of block `block` as its
/// reports named it, `reportedAt` the block time of the log entry that last extended it. The
/// poisoned test reads the chain's `EffectiveWatchCoverage` of the watchers' coverages (how
/// far `poisoning.min_watchers` of them reach); one whose last covered block is older in block
/// time than `poisoning.max_staleness` answers it with "unknown" (security review M1: how
/// current the chain data is, not how recently a watcher spoke).
public struct WatchCoverage: Sendable, Hashable, Codable {
    public var block: UInt64
    /// The first block covered.
    public var since: UInt64
    /// The hash of `block` (empty when unknown, as in a snapshot written by hand): the next
    /// range must name it as its parent (third review M2).
    public var blockHash: String
    public var blockTime: Int64
    public var reportedAt: Int64
    /// The watcher bot whose coverage it is (empty when unknown, as in a snapshot written by hand).
    public var reporter: String

    public init(block: UInt64, since: UInt64 = 0, blockHash: String = "", blockTime: Int64, reportedAt: Int64, reporter: String = "") {
        self.block = block
        self.since = since
        self.blockHash = blockHash
        self.blockTime = blockTime
        self.reportedAt = reportedAt
        self.reporter = reporter
    }
}
