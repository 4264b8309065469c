extension PolicyDiff {
    /// The `cooling_off` section: a shorter or removed delay is weaker, a longer one stronger.
    /// A tag or counterparty without its own setting waits the default, so removing an override
    /// compares it with the new default (removing `internal: 0s` under a 48h default is stronger).
    static func compareCoolingOff(_ old: CoolingOff?, _ new: CoolingOff?, _ add: (String, String, Direction) -> Void) {
        func text(_ seconds: Int) -> String { seconds == 0 ? "0s" : CompiledPolicy.durationText(seconds) }
        func direction(_ before: Int, _ after: Int) -> Direction { after < before ? .weaker : after > before ? .stronger : .changed }
        let before = old?.defaultSeconds ?? 0, after = new?.defaultSeconds ?? 0
        if old == nil, new != nil {
            add("cooling_off", "added: new or changed address book entries wait \(text(after)) by default", after > 0 ? .stronger : .changed)
        } else if old != nil, new == nil {
            add("cooling_off", "removed: new or changed address book entries are usable at once", .weaker)
        } else if before != after {
            add("cooling_off default", "\(text(before)) → \(text(after))", direction(before, after))
        }
        let sections: [(String, [CoolingOff.Setting], [CoolingOff.Setting])] = [
            ("tag", old?.tags ?? [], new?.tags ?? []), ("counterparty", old?.counterparties ?? [], new?.counterparties ?? []),
        ]
        for (what, b, a) in sections {
            for name in Set((b + a).map(\.name.value)).sorted() {
                let was = b.first { $0.name.value == name }?.seconds
                let now = a.first { $0.name.value == name }?.seconds
                guard was != now else { continue }
                let effectiveBefore = was ?? before, effectiveAfter = now ?? after
                func label(_ seconds: Int?, _ fallback: Int) -> String { seconds.map(text) ?? "the default (\(text(fallback)))" }
                add("cooling_off \(what) \(name)", "\(label(was, before)) → \(label(now, after))", direction(effectiveBefore, effectiveAfter))
            }
        }
    }
}
