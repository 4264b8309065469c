/// A transfer the ledger has already approved, with its log time and the USD notional it was
/// counted at; the input from which rolling-window totals are derived.
public struct PastTransfer: Sendable, Hashable {
    public var time: Int64
    public var request: PolicyRequest
    public var usd: FixedDecimal

    public init(time: Int64, request: PolicyRequest, usd: FixedDecimal) {
        self.time = time
        self.request = request
        self.usd = usd
    }
}
