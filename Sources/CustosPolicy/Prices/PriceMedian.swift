/// The USD price of an asset a decision uses: the median of `sources` fresh quotes, with the
/// move of the asset's median if its latest update moved beyond the policy's bound.
public struct PriceMedian: Sendable, Hashable, Codable {
    public var asset: String
    public var usd: FixedDecimal
    /// How many sources' quotes were fresh enough to count.
    public var sources: Int
    public var move: PriceMove?

    public init(asset: String, usd: FixedDecimal, sources: Int, move: PriceMove? = nil) {
        self.asset = asset
        self.usd = usd
        self.sources = sources
        self.move = move
    }
}

extension PriceMedian {
    /// The price in words, and a flagged move on a line of its own:
    /// `price of ETH: 3,200 USD, the median of 3 sources`.
    public var lines: [String] {
        var lines = ["price of \(asset): \(usd.grouped) USD, the median of \(sources) source\(sources == 1 ? "" : "s")"]
        if let move {
            lines.append(
                "PRICE MOVE: the median of \(asset) moved \(move.percentText)% (from \(move.from.grouped) to \(move.to.grouped) USD), beyond the policy's \(move.bound.grouped)%: USD clauses fail closed until enough sources (prices.min_sources) have quoted the new level since")
        }
        return lines
    }
}
