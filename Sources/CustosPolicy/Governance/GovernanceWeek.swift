/// The week as the governance checks walk it. Governance rules may depend on the time of day
/// and the day of the week (`during`, `outside`, and conditions that read `time`), so whether an
/// operation can be approved is decided once in every interval of the week in which none of
/// those clauses can change: at every boundary of a rule's time window (in the window's zone),
/// and, when a governance rule has a condition, at every whole hour (a condition that reads
/// `time.minute` or `time.unix` is only sampled at those instants).
enum GovernanceWeek {
    static let seconds: Int64 = 7 * 86_400
    /// 2026-11-16T00:00:00Z, a Monday: the week the static lockout check walks.
    static let referenceMonday: Int64 = 1_794_787_200
    static let dayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// Seconds after Monday 00:00 UTC at which some governance rule of `policy` that can apply to
    /// `action` may start or stop applying; sorted, distinct, starting with 0.
    ///
    /// A rule that names operations other than `action` never matches a request for it, at any
    /// time (`CompiledPolicy.match` refuses it before any clause that reads the time), so its
    /// times are left out: they would only split the week into more intervals with the same
    /// decisions. Unless a rule that does apply has a condition: a condition is evaluated only at
    /// the instants sampled, and may read the minute or the clock (review helper-149 M1), so
    /// then every rule's times still count, as they did before. With no action (a request that
    /// is not a governance operation, which no governance rule matches), every rule counts.
    static func boundaries(of policy: CompiledPolicy, for action: GovernanceOperation.Action?) -> [Int64] {
        var result: Set<Int64> = [0]
        let bit = action.map(PolicyCompiler.operationBit) ?? 0
        func applies(_ rule: CompiledRule) -> Bool { bit == 0 || rule.operations == 0 || rule.operations & bit != 0 }
        let prune = !policy.governanceRules.contains { policy.rules[$0].condition != nil && applies(policy.rules[$0]) }
        for index in policy.governanceRules {
            let rule = policy.rules[index]
            if prune, !applies(rule) { continue }
            if rule.condition != nil {
                for hour in 0..<(7 * 24) { result.insert(Int64(hour) * 3600) }
            }
            for window in [rule.during, rule.outside].compactMap({ $0 }) {
                for day in 0..<7 {
                    for minute in [0, window.fromMinute, window.toMinute] {
                        let local = Int64(day) * 86_400 + Int64(minute) * 60
                        result.insert(modulo(local - Int64(window.offsetSeconds)))
                    }
                }
            }
        }
        return result.sorted()
    }

    /// Whether the lockout check of `document` (`CompiledPolicy.governanceLockouts`, which walks
    /// the week for `change_policy` and `unfreeze`) samples every hour of the week: a governance
    /// rule with a condition that can apply to one of them (`boundaries(of:for:)`). Read from the
    /// document as the compiler reads it (a rule is a governance rule when it names operations;
    /// an empty list, or names none of which is known, match every operation). Such a check
    /// costs about ten compiles of the same policy without it.
    static func samplesEveryHour(_ document: PolicyDocument) -> Bool {
        let checked: Set<GovernanceOperation.Action> = [.changePolicy, .unfreeze]
        return document.rules.contains { rule in
            guard rule.when != nil, let names = rule.match.operations else { return false }
            let actions = names.compactMap { GovernanceOperation.Action(rawValue: $0.value) }
            return actions.isEmpty || actions.contains(where: checked.contains)
        }
    }

    /// One instant in each interval of the week that starts at `time`, in order, `time` first.
    static func instants(from time: Int64, boundaries: [Int64]) -> [Int64] {
        let now = modulo(time &- referenceMonday)
        var offsets: Set<Int64> = [0]
        for b in boundaries { offsets.insert(modulo(b - now)) }
        return offsets.sorted().compactMap { offset in
            let (t, overflow) = time.addingReportingOverflow(offset)
            return overflow ? nil : t
        }
    }

    /// Seconds after Monday 00:00 UTC of `time`.
    static func weekSecond(of time: Int64) -> Int64 { modulo(time &- referenceMonday) }

    /// "Sunday 03:00 UTC" for a second of the week.
    static func describe(_ weekSecond: Int64) -> String {
        let s = modulo(weekSecond)
        let day = Int(s / 86_400)
        let hour = (s % 86_400) / 3600
        let minute = (s % 3600) / 60
        let second = s % 60
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let clock = "\(two(hour)):\(two(minute))" + (second == 0 ? "" : ":\(two(second))")
        return "\(dayNames[day]) \(clock) UTC"
    }

    private static func modulo(_ value: Int64) -> Int64 {
        let r = value % seconds
        return r < 0 ? r + seconds : r
    }
}
