import CustosCore
import CustosPolicy

extension ReplicatedState {
    /// What the policy reads at block time `time` (milliseconds) for `request`: the time, the
    /// freeze flag, the windows' totals, the history of its destination, the price of its asset
    /// (or why it has none) and, for a bot, when its key was last set.
    public func snapshot(for request: PolicyRequest, at time: UInt64) -> StateSnapshot {
        requestAuthority.snapshot(for: request, blockTime: time)
    }

    /// Counts a request just approved for signing (allowed when decided, or by its last
    /// approval) in the windows, at the price it was approved with.
    mutating func countInWindows(_ recorded: RecordedRequest) {
        guard let charge = windowCharge(for: recorded.request) else { return }
        windows.count(recorded.id, request: recorded.request, charge: charge, at: time)
    }

    /// What `request` adds to the windows now: its keys, and its USD notional at the median the
    /// decision used. Reads no window, so that counting it right after copies none.
    private func windowCharge(for request: PolicyRequest) -> WindowCharge? {
        var priced = StateSnapshot(time: Int64(time / 1000))
        if case .success(let median) = prices.median(of: request.asset, policy: policy.document.prices, at: priced.time) {
            priced.prices[request.asset] = median.usd
        }
        return policy.windowCharge(for: request, in: priced)
    }

    /// Records a signing session that failed, and stops counting its request in the windows: it
    /// failed before broadcast.
    mutating func failSigning(_ session: SigningSession) {
        signing[session.requestId] = session
        windows.release(session.requestId)
        recordFailedTransaction(session.requestId, reason: session.failure ?? "signing failed")
    }
}
