extension CompiledPolicy {
    /// The policy's rolling-window limits in order: name and window length in seconds.
    public var windowLimits: [(name: String, seconds: Int)] { limits.map { ($0.name, $0.windowSeconds) } }

    /// What `request`, approved for signing, adds to each limit's window: its keys under this
    /// policy and its USD notional at the snapshot's prices (zero when unknown). Governance
    /// operations add nothing (nil).
    public func windowCharge(for request: PolicyRequest, in state: StateSnapshot) -> WindowCharge? {
        guard request.kind != .governance else { return nil }
        let context = EvaluationContext(policy: self, request: request, state: state)
        return WindowCharge(usd: context.amountUSD ?? .zero, keys: limits.map { context.limitKey($0.per) })
    }
}
