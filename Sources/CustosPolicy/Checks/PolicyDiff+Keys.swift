extension PolicyDiff {
    /// Key rotation periods and classes: a longer period or grace, or a class with a longer
    /// period, is weaker; a shorter one stronger.
    static func compareKeys(_ old: KeyPolicy, _ new: KeyPolicy, _ add: (String, String, Direction) -> Void) {
        for keyClass in KeyClass.allCases {
            let (b, n) = (old.rotation(of: keyClass), new.rotation(of: keyClass))
            if b.everySeconds != n.everySeconds {
                add("keys \(keyClass.rawValue) rotation",
                    "every \(CompiledPolicy.durationText(b.everySeconds)) → \(CompiledPolicy.durationText(n.everySeconds))",
                    n.everySeconds > b.everySeconds ? .weaker : .stronger)
            }
            if b.graceSeconds != n.graceSeconds {
                add("keys \(keyClass.rawValue) rotation",
                    "grace \(CompiledPolicy.durationText(b.graceSeconds)) → \(CompiledPolicy.durationText(n.graceSeconds))",
                    n.graceSeconds > b.graceSeconds ? .weaker : .stronger)
            }
        }
        for bots in [false, true] {
            let ids = bots ? Set(old.bots.keys).union(new.bots.keys) : Set(old.vaults.keys).union(new.vaults.keys)
            for id in ids.sorted() {
                let (b, n) = bots ? (old.botClass(id), new.botClass(id)) : (old.vaultClass(id), new.vaultClass(id))
                guard b != n else { continue }
                add("keys class of \(bots ? "bot" : "vault") \(id)", "\(b.rawValue) → \(n.rawValue)",
                    new.rotation(of: n).everySeconds > old.rotation(of: b).everySeconds ? .weaker : .stronger)
            }
        }
    }
}
