extension CompiledPolicy {
    /// Rolling-window totals as of `time`, derived from approved transfers: for every limit, the
    /// transfers whose time is in `(time − window, time]`, summed per the limit's key
    /// (destination, counterparty, initiator, vault or global), exactly as evaluation keys
    /// them. Governance operations never count. A sum that would overflow saturates at the
    /// largest decimal, which every limit then treats as exceeded (fail closed).
    public func windowTotals(history: some Sequence<PastTransfer>, at time: Int64) -> WindowTotals {
        var totals = WindowTotals()
        let snapshot = StateSnapshot(time: time)
        for past in history where past.request.kind != .governance && past.time <= time {
            let context = EvaluationContext(policy: self, request: past.request, state: snapshot)
            for limit in limits where past.time > time.subtractingReportingOverflow(Int64(limit.windowSeconds)).partialValue
                || time.subtractingReportingOverflow(Int64(limit.windowSeconds)).overflow
            {
                let key = context.limitKey(limit.per)
                var total = totals[limit.name, key]
                total.usd = total.usd.adding(past.usd) ?? FixedDecimal(raw: .max)
                total.count += 1
                totals[limit.name, key] = total
            }
        }
        return totals
    }
}
