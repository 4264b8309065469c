/// The policy's `prices` section: how a node turns the signed price entries in the state into
/// the one USD price a decision uses. A price is the median of the latest quote of every source
/// no older than `maxAgeSeconds` at the decision's block time, and exists only when at least
/// `minSources` sources are that fresh (three by default; the checker refuses fewer for a policy
/// with USD clauses); otherwise every USD clause fails closed. A median whose latest update moved
/// it by more than `maxMovePercent` from the one before it is not used either: USD clauses fail
/// closed (`refusal(of:)`) until a later price entry leaves the median within the bound of the
/// moved one, confirming the new level.
public struct PricePolicy: Sendable, Hashable {
    public var minSources: Int
    public var maxAgeSeconds: Int
    public var maxMovePercent: FixedDecimal

    public init(minSources: Int = 3, maxAgeSeconds: Int = 900, maxMovePercent: FixedDecimal = FixedDecimal(10)!) {
        self.minSources = minSources
        self.maxAgeSeconds = maxAgeSeconds
        self.maxMovePercent = maxMovePercent
    }
}
