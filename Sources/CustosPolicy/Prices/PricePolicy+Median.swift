extension PricePolicy {
    /// The median of the quotes no older than `maxAgeSeconds` at `time` (and not after it), or
    /// why there is none: fewer than `minSources` such quotes. With an even number of quotes, the
    /// mean of the middle two. Ties are broken by source, so every node gets the same figure
    /// from the same quotes in any order. One source among three that lies does not move it
    /// beyond the honest two.
    public func median(of asset: String, quotes: some Sequence<PriceQuote>, at time: Int64) -> Result<PriceMedian, PriceUnavailable> {
        let oldest = time.subtractingReportingOverflow(Int64(maxAgeSeconds)).partialValue
        let fresh = quotes.filter { $0.time >= oldest && $0.time <= time }
            .sorted { $0.usd != $1.usd ? $0.usd < $1.usd : $0.source < $1.source }
        guard fresh.count >= minSources, !fresh.isEmpty else {
            return .failure(PriceUnavailable(
                "no valid USD price for \(asset.isEmpty ? "the asset" : asset): \(fresh.count) source\(fresh.count == 1 ? "" : "s") no older than \(CompiledPolicy.durationText(maxAgeSeconds)), the policy needs \(minSources)"))
        }
        let middle = fresh.count / 2
        var usd = fresh[middle].usd
        if fresh.count % 2 == 0 {
            guard let sum = fresh[middle - 1].usd.adding(fresh[middle].usd), let mean = sum.divided(by: FixedDecimal(2)!) else {
                return .failure(PriceUnavailable("the median USD price of \(asset) overflows"))
            }
            usd = mean
        }
        return .success(PriceMedian(asset: asset, usd: usd, sources: fresh.count))
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
