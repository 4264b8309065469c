extension PoisoningPolicy {
    /// Reads the `poisoning` section; a field it leaves out keeps its default (1 USD, no
    /// per-asset bounds, a staleness bound of 10 minutes: reviews H-3, helper-58 M1; 2 watchers: review helper-58 M2).
    /// Without the section there is no staleness bound (and one watcher's coverage is shown as the chain's). The assets of `dust` must be assets of the policy
    /// (checked when the policy compiles); `max_staleness` is a duration up to 30 days; `min_watchers` a whole number from 1 to 16.
    ///
    /// ```yaml
    /// poisoning: {dust_usd: 1, dust: {ETH: 0.0005, USDC: 1}, max_staleness: 30m, min_watchers: 2}
    /// ```
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> PoisoningPolicy {
        var poisoning = PoisoningPolicy()
        guard let f = r.mapping(node, "poisoning", allowed: ["dust_usd", "dust", "max_staleness", "min_watchers"]) else { return poisoning }
        poisoning.maxStalenessSeconds = defaultStalenessSeconds
        poisoning.minWatchers = defaultMinWatchers
        if let n = f["min_watchers"], let v = r.integer(n.value, "poisoning.min_watchers", range: 1...maximumMinWatchers) {
            poisoning.minWatchers = v.value
        }
        if let n = f["max_staleness"], let v = r.duration(n.value, "poisoning.max_staleness") {
            if v.value > maximumStalenessSeconds {
                r.error(.invalidValue, n.value.location, "poisoning.max_staleness must be at most 30d")
            } else {
                poisoning.maxStalenessSeconds = v.value
            }
        }
        if let n = f["dust_usd"], let v = r.decimal(n.value, "poisoning.dust_usd") { poisoning.dustUSD = v.value }
        if let n = f["dust"] {
            for entry in r.namedMapping(n.value, "poisoning.dust") {
                guard let v = r.decimal(entry.value, "poisoning.dust.\(entry.key)") else { continue }
                poisoning.dust[Spanned(entry.key, at: entry.keyLocation)] = v.value
            }
        }
        return poisoning
    }
}
