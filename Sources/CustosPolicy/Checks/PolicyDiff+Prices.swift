extension PolicyDiff {
    /// The `prices` section: fewer sources, an older staleness bound or a wider move bound is
    /// weaker; the opposite stronger.
    static func comparePrices(_ old: PricePolicy, _ new: PricePolicy, _ add: (String, String, Direction) -> Void) {
        if old.minSources != new.minSources {
            add("prices min_sources", "\(old.minSources) → \(new.minSources)", new.minSources < old.minSources ? .weaker : .stronger)
        }
        if old.maxAgeSeconds != new.maxAgeSeconds {
            add("prices max_age", "\(CompiledPolicy.durationText(old.maxAgeSeconds)) → \(CompiledPolicy.durationText(new.maxAgeSeconds))",
                new.maxAgeSeconds > old.maxAgeSeconds ? .weaker : .stronger)
        }
        if old.maxMovePercent != new.maxMovePercent {
            add("prices max_move_percent", "\(old.maxMovePercent.grouped)% → \(new.maxMovePercent.grouped)%",
                new.maxMovePercent > old.maxMovePercent ? .weaker : .stronger)
        }
    }
}
