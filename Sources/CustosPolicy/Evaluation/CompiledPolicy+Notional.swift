extension CompiledPolicy {
    /// The USD notional of `request` at the snapshot's prices, exactly as a decision reads it;
    /// nil when it is not known (no usable price, an unpriced asset, an overflow).
    public func notionalUSD(of request: PolicyRequest, in state: StateSnapshot) -> FixedDecimal? {
        EvaluationContext(policy: self, request: request, state: state).amountUSD
    }
}
