/// How far watchers' reports cover one chain, as the replicated state holds it (security review
/// M4): every block from the first report's first block through `block` was reported, for every
/// vault address the cluster held. `blockTime` is the chain's own timestamp (seconds) of block
/// `block` as the reports named it, `reportedAt` the block time of the log entry that last
/// extended the coverage, and `reporter` the watcher bot whose report that was (third review
/// L1: an operator sees which watcher to ask). A chain whose last covered block is older in block time than the
/// policy's `poisoning.max_staleness` answers the poisoned test with "unknown" (security review
/// M1: how current the chain data is, not how recently a watcher spoke).
public struct WatchCoverage: Sendable, Hashable {
    public var block: UInt64
    /// The hash of `block` (empty when unknown, as in a snapshot written by hand): the next
    /// range must name it as its parent (third review M2).
    public var blockHash: String
    public var blockTime: Int64
    public var reportedAt: Int64
    /// The watcher bot that extended it last (empty when unknown, as in a snapshot written by hand).
    public var reporter: String

    public init(block: UInt64, blockHash: String = "", blockTime: Int64, reportedAt: Int64, reporter: String = "") {
        self.block = block
        self.blockHash = blockHash
        self.blockTime = blockTime
        self.reportedAt = reportedAt
        self.reporter = reporter
    }
}
