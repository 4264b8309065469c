
extension ExecutorCommand {
    /// Whether the transaction this executor first broadcast at `since` (when the chain's
    /// latest block was `block`) is stuck now: not mined within `stuckAfter` seconds, or within
    /// `stuckAfterBlocks` new blocks when that is set.
    static func isStuck(since: ContinuousClock.Instant, block: UInt64, latest: UInt64, stuckAfter: UInt64, stuckAfterBlocks: UInt64?) -> Bool {
        if ContinuousClock.now - since >= .seconds(Int64(min(stuckAfter, UInt64(Int64.max)))) { return true }
        if let stuckAfterBlocks, latest >= block, latest - block >= stuckAfterBlocks { return true }
        return false
    }
}
