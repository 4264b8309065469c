/// How far watchers' reports cover one chain, as the replicated state holds it (security review
/// M4): every block from the first report's first block through `block` was reported, for every
/// vault address the cluster held, and the report that last extended the coverage was committed
/// at block time `reportedAt` (seconds). A chain whose coverage is older than the policy's
/// `poisoning.max_staleness` answers the poisoned test with "unknown".
public struct WatchCoverage: Sendable, Hashable {
    public var block: UInt64
    public var reportedAt: Int64

    public init(block: UInt64, reportedAt: Int64) {
        self.block = block
        self.reportedAt = reportedAt
    }
}
