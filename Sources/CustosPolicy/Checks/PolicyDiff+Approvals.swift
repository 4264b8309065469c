extension PolicyDiff {
    /// The `approvals` section: a per-person bound raised or removed, or a hasty threshold
    /// shortened, removed or raised in USD (compared while both versions flag), is weaker; the
    /// opposite stronger. Switching what happens beyond the bound is a change whose direction
    /// depends on the organisation.
    static func compareApprovals(_ old: ApprovalPolicy, _ new: ApprovalPolicy, _ add: (String, String, Direction) -> Void) {
        if old.perPersonPerHour != new.perPersonPerHour {
            func text(_ limit: Int?) -> String { limit.map { "\($0) an hour" } ?? "no limit" }
            add("approvals per_person_per_hour", "\(text(old.perPersonPerHour)) → \(text(new.perPersonPerHour))",
                (new.perPersonPerHour ?? .max) > (old.perPersonPerHour ?? .max) ? .weaker : .stronger)
        }
        if old.beyond != new.beyond {
            add("approvals beyond", "\(old.beyond.rawValue) → \(new.beyond.rawValue)", .changed)
        }
        if old.hastyWithinSeconds != new.hastyWithinSeconds {
            func text(_ seconds: Int?) -> String { seconds.map { "within \(CompiledPolicy.durationText($0))" } ?? "not flagged" }
            add("approvals hasty", "\(text(old.hastyWithinSeconds)) → \(text(new.hastyWithinSeconds))",
                (new.hastyWithinSeconds ?? 0) < (old.hastyWithinSeconds ?? 0) ? .weaker : .stronger)
        }
        if old.hastyWithinSeconds != nil, new.hastyWithinSeconds != nil, old.hastyOverUSD != new.hastyOverUSD {
            add("approvals hasty over_usd", "\(old.hastyOverUSD.grouped) → \(new.hastyOverUSD.grouped)",
                new.hastyOverUSD > old.hastyOverUSD ? .weaker : .stronger)
        }
    }
}
