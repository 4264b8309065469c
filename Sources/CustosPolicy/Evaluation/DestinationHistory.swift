/// What the state knows of earlier requests to one destination (chain and address), for rules
/// on novelty: when one was first counted and the largest USD notional any was counted at. A
/// request counts once it is approved for signing; a later failure does not undo it.
public struct DestinationHistory: Sendable, Hashable {
    /// Block time (seconds) at which the first request to it was approved for signing.
    public var firstSeen: Int64
    /// The largest USD notional a request to it was counted at (zero when none had a price).
    public var largestUSD: FixedDecimal
    public var count: Int
    /// The log id of the first request counted, and the block time (seconds) the next one was
    /// counted at: enough to tell when the first payment other than one given request was made
    /// (`firstPayment(excluding:)`).
    public var firstRequest: String
    public var secondSeen: Int64?

    public init(firstSeen: Int64, largestUSD: FixedDecimal, count: Int, firstRequest: String = "", secondSeen: Int64? = nil) {
        self.firstSeen = firstSeen
        self.largestUSD = largestUSD
        self.count = count
        self.firstRequest = firstRequest
        self.secondSeen = secondSeen
    }

    /// Block time (seconds) of the first request to it approved for signing other than request
    /// `id` (a log id; nil excludes none), or nil when there is none: a request's own approval
    /// is never an earlier payment of its destination.
    public func firstPayment(excluding id: String?) -> Int64? {
        guard let id, id == firstRequest else { return firstSeen }
        return secondSeen
    }
}
