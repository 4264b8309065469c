/// One source's latest USD price of an asset, as a signed price entry in the log gave it: the
/// source (the price bot's id), the price of one unit, and the time the source says it observed
/// it (seconds since 1970-01-01T00:00:00Z).
public struct PriceQuote: Sendable, Hashable, Codable {
    public var source: String
    public var usd: FixedDecimal
    public var time: Int64

    public init(source: String, usd: FixedDecimal, time: Int64) {
        self.source = source
        self.usd = usd
        self.time = time
    }
}
