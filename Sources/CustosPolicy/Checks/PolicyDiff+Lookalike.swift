extension PolicyDiff {
    /// The `lookalike` and `poisoning` sections. Comparing fewer hex digits, or allowing more
    /// edits, flags more destinations: stronger; turning a test off (0) or comparing more digits
    /// flags fewer: weaker. A higher dust bound flags more counterparties: stronger; fewer `min_watchers`: weaker.
    static func compareLookalike(_ old: PolicyDocument, _ new: PolicyDocument, _ add: (String, String, Direction) -> Void) {
        let (a, b) = (old.lookalike, new.lookalike)
        if a.prefix != b.prefix || a.suffix != b.suffix {
            // Only a change that compares no more digits at either end flags a superset; one that
            // moves digits from one end to the other (4+4 → 8+0) lets some look-alikes through.
            let (wasOff, isOff) = (a.prefix + a.suffix == 0, b.prefix + b.suffix == 0)
            let direction: Direction =
                isOff && !wasOff ? .weaker
                : wasOff && !isOff ? .stronger
                : b.prefix <= a.prefix && b.suffix <= a.suffix ? .stronger
                : b.prefix >= a.prefix && b.suffix >= a.suffix ? .weaker
                : .changed
            add("lookalike prefix and suffix", "\(a.prefix)+\(a.suffix) → \(b.prefix)+\(b.suffix) hex digits", direction)
        }
        if a.maxEditDistance != b.maxEditDistance {
            add("lookalike max_edit_distance", "\(a.maxEditDistance) → \(b.maxEditDistance)", b.maxEditDistance < a.maxEditDistance ? .weaker : .stronger)
        }
        let (p, q) = (old.poisoning, new.poisoning)
        if p.maxStalenessSeconds != q.maxStalenessSeconds {
            // A shorter bound fails closed sooner: stronger; a longer one, or none, later: weaker.
            let text = "\(p.maxStalenessSeconds.map(CompiledPolicy.durationText) ?? "none") → \(q.maxStalenessSeconds.map(CompiledPolicy.durationText) ?? "none")"
            let direction: Direction = switch (p.maxStalenessSeconds, q.maxStalenessSeconds) {
            case (let x?, let y?): y < x ? .stronger : .weaker
            case (nil, _): .stronger
            case (_, nil): .weaker
            }
            add("poisoning max_staleness", text, direction)
        }
        if p.minWatchers != q.minWatchers {
            // Fewer watchers must agree for the coverage to advance: one lying watcher weighs more.
            add("poisoning min_watchers", "\(p.minWatchers) → \(q.minWatchers)", q.minWatchers < p.minWatchers ? .weaker : .stronger)
        }
        if p.dustUSD != q.dustUSD {
            add("poisoning dust_usd", "\(p.dustUSD.grouped) → \(q.dustUSD.grouped) USD", q.dustUSD < p.dustUSD ? .weaker : .stronger)
        }
        let before = Dictionary(p.dust.map { ($0.key.value, $0.value) }, uniquingKeysWith: { x, _ in x })
        let after = Dictionary(q.dust.map { ($0.key.value, $0.value) }, uniquingKeysWith: { x, _ in x })
        for asset in Set(before.keys).union(after.keys).sorted() where before[asset] != after[asset] {
            let text = "\(before[asset].map { $0.grouped } ?? "USD bound") → \(after[asset].map { $0.grouped } ?? "USD bound")"
            // A bound removed or lowered flags less only if it was above the USD bound; say changed.
            let direction: Direction = switch (before[asset], after[asset]) {
            case (let x?, let y?): y < x ? .weaker : .stronger
            default: .changed
            }
            add("poisoning dust \(asset)", text, direction)
        }
    }
}
