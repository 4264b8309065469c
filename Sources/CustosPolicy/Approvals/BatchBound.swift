/// The USD notional from which a request, or a batch of requests together, is too large to be
/// approved in one batch approval (`ApprovalPolicy.batchBound`), with where that number comes
/// from, in words for reasons ("approvals.hasty.over_usd").
public struct BatchBound: Sendable, Hashable {
    public let usd: FixedDecimal
    public let source: String

    public init(usd: FixedDecimal, source: String) {
        self.usd = usd
        self.source = source
    }

    /// "100,000 USD, the default, which approvals.hasty.over_usd may only lower": for reasons.
    public var text: String { "\(usd.grouped) USD, \(source)" }
}
