/// The policy's `prices` section: how a node turns the signed price entries in the state into
/// the one USD price a decision uses. A price is the median of the latest quote of every source
/// no older than `maxAgeSeconds` at the decision's block time, and exists only when at least
/// `minSources` sources are that fresh; otherwise every USD clause fails closed. A median that
/// moved by more than `maxMovePercent` from the one before it is flagged in explanations.
public struct PricePolicy: Sendable, Hashable {
    public var minSources: Int
    public var maxAgeSeconds: Int
    public var maxMovePercent: FixedDecimal

    public init(minSources: Int = 1, maxAgeSeconds: Int = 900, maxMovePercent: FixedDecimal = FixedDecimal(10)!) {
        self.minSources = minSources
        self.maxAgeSeconds = maxAgeSeconds
        self.maxMovePercent = maxMovePercent
    }
}
