extension PlannedTransaction {
    /// Whether this is the zero-value transaction of a governed nonce cancellation (it has the
    /// nonce it must use), rather than the plan of a transfer or call request. A cancellation of
    /// a reserved nonce names the plan it supersedes (`cancels`); one of a free nonce names none.
    public var isCancellation: Bool { reservedNonce != nil }
}
