extension PricePolicy {
    /// Reads the `prices` section; a field it leaves out keeps its default (three sources, 15
    /// minutes, 10 %):
    ///
    /// ```yaml
    /// prices: {min_sources: 3, max_age: 5m, max_move_percent: 5}
    /// ```
    static func decode(_ node: YAMLNode, _ r: inout NodeReader) -> PricePolicy {
        var prices = PricePolicy()
        guard let f = r.mapping(node, "prices", allowed: ["min_sources", "max_age", "max_move_percent"]) else { return prices }
        if let n = f["min_sources"], let v = r.integer(n.value, "prices.min_sources", range: 1...64) { prices.minSources = v.value }
        if let n = f["max_age"], let v = r.duration(n.value, "prices.max_age") { prices.maxAgeSeconds = v.value }
        if let n = f["max_move_percent"], let v = r.decimal(n.value, "prices.max_move_percent") {
            if v.value > .zero {
                prices.maxMovePercent = v.value
            } else {
                r.error(.invalidValue, v.location, "prices.max_move_percent must be above 0")
            }
        }
        return prices
    }
}
