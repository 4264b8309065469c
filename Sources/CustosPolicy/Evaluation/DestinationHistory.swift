/// What the state knows of earlier requests to one destination (chain and address), for rules
/// on novelty: when one was first counted and the largest USD notional any was counted at. A
/// request counts once it is approved for signing; a later failure does not undo it.
public struct DestinationHistory: Sendable, Hashable, Codable {
    /// Block time (seconds) at which the first request to it was approved for signing.
    public var firstSeen: Int64
    /// The largest USD notional a request to it was counted at (zero when none had a price).
    public var largestUSD: FixedDecimal
    public var count: Int

    public init(firstSeen: Int64, largestUSD: FixedDecimal, count: Int) {
        self.firstSeen = firstSeen
        self.largestUSD = largestUSD
        self.count = count
    }
}
