extension PricePolicy {
    /// The median of the quotes no older than `maxAgeSeconds` at `time` (and not after it), or
    /// why there is none: fewer than `minSources` such quotes. With an even number of quotes, the
    /// higher of the middle two: limits charge outgoing value, and the higher price charges more
    /// of it, so a source that lies low cannot make a request look smaller than the honest quotes
    /// say (a mean would let one low quote pull the figure halfway down). Ties are broken by
    /// source, so every node gets the same figure from the same quotes in any order. One source
    /// among three that lies does not move it beyond the honest two.
    public func median(of asset: String, quotes: some Sequence<PriceQuote>, at time: Int64) -> Result<PriceMedian, PriceUnavailable> {
        let oldest = time.subtractingReportingOverflow(Int64(maxAgeSeconds)).partialValue
        let fresh = quotes.filter { $0.time >= oldest && $0.time <= time }
            .sorted { $0.usd != $1.usd ? $0.usd < $1.usd : $0.source < $1.source }
        guard fresh.count >= minSources, !fresh.isEmpty else {
            return .failure(PriceUnavailable(
                "no valid USD price for \(asset.isEmpty ? "the asset" : asset): \(fresh.count) source\(fresh.count == 1 ? "" : "s") no older than \(CompiledPolicy.durationText(maxAgeSeconds)), the policy needs \(minSources)"))
        }
        // The upper middle for an even count, the middle for an odd one.
        return .success(PriceMedian(asset: asset, usd: fresh[fresh.count / 2].usd, sources: fresh.count))
    }

    /// Why a decision may not use `median`, or nil: its latest update moved it beyond
    /// `maxMovePercent`, so every USD clause fails closed as for a missing price.
    public func refusal(of median: PriceMedian) -> PriceUnavailable? {
        guard let move = median.move else { return nil }
        return PriceUnavailable(
            "the median USD price of \(median.asset) moved \(move.percentText)%, beyond the policy's \(move.bound.grouped)% (prices.max_move_percent); it counts again once \(minSources) source\(minSources == 1 ? " has" : "s have") each quoted the new level since")
    }

    /// The move from `previous` to `next` if it is beyond `maxMovePercent`, else nil.
    public func move(from previous: FixedDecimal, to next: FixedDecimal, at time: Int64) -> PriceMove? {
        guard previous > .zero, let difference = next.subtracting(previous) else { return nil }
        let magnitude = difference < .zero ? (difference.negated() ?? difference) : difference
        guard let ratio = magnitude.divided(by: previous), let percent = ratio.multiplied(by: FixedDecimal(100)!) else {
            return PriceMove(from: previous, to: next, percent: FixedDecimal(raw: .max), bound: maxMovePercent, at: time)
        }
        return percent > maxMovePercent ? PriceMove(from: previous, to: next, percent: percent, bound: maxMovePercent, at: time) : nil
    }
}
