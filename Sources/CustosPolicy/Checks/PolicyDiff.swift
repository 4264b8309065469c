/// A human-readable comparison of two versions of a policy, for the people approving a policy
/// change: every rule, limit, group, principal, address-book entry, governance setting, role's
/// environments, bot's environment and onboarding step that changed, each labelled *weaker* (more permissive), *stronger* or *changed* where the
/// direction cannot be known (e.g. a rewritten condition).
public struct PolicyDiff: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable {
        case weaker, stronger, changed
    }

    public struct Change: Sendable, Hashable, CustomStringConvertible {
        public let subject: String
        public let detail: String
        public let direction: Direction
        public var description: String { "\(subject): \(detail) (\(direction.rawValue))" }
    }

    public let changes: [Change]

    public var lines: [String] { changes.map(\.description) }
    /// Whether any change makes the policy more permissive.
    public var weakens: Bool { changes.contains { $0.direction == .weaker } }

    /// `registeredBots` is the environment of each bot of the registry, which overrides what
    /// either document says of it (review of fin14 M4): the differences shown are what takes
    /// effect. Empty when the documents are compared alone (`custos policy diff`).
    public init(old: PolicyDocument, new: PolicyDocument, registeredBots: [String: DeploymentEnvironment] = [:]) {
        var c: [Change] = []
        func add(_ subject: String, _ detail: String, _ direction: Direction) {
            c.append(Change(subject: subject, detail: detail, direction: direction))
        }
        // Rules.
        let oldRules = Dictionary(old.rules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newRules = Dictionary(new.rules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for rule in new.rules where oldRules[rule.name] == nil {
            add("rule \(rule.name)", "added: \(Self.outcomeText(rule.outcome))", rule.outcome == .allow ? .weaker : .stronger)
        }
        for rule in old.rules where newRules[rule.name] == nil {
            add("rule \(rule.name)", "removed (was \(Self.outcomeText(rule.outcome)))", rule.outcome == .allow ? .stronger : .weaker)
        }
        for rule in new.rules {
            guard let before = oldRules[rule.name] else { continue }
            Self.compareRule(before, rule, add)
        }
        // Limits.
        let oldLimits = Dictionary(old.limits.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let newLimitNames = Set(new.limits.map(\.name))
        for l in new.limits {
            guard let b = oldLimits[l.name] else {
                add("limit \(l.name)", "added", .changed)
                continue
            }
            if b.maxUSD != l.maxUSD {
                add("limit \(l.name)", "max_usd \(b.maxUSD?.grouped ?? "none") → \(l.maxUSD?.grouped ?? "none")",
                    Self.looser(b.maxUSD, l.maxUSD) ? .weaker : .stronger)
            }
            if b.maxCount != l.maxCount {
                add("limit \(l.name)", "max_count \(b.maxCount.map(String.init) ?? "none") → \(l.maxCount.map(String.init) ?? "none")",
                    Self.looser(b.maxCount.flatMap { FixedDecimal($0) }, l.maxCount.flatMap { FixedDecimal($0) }) ? .weaker : .stronger)
            }
            if b.windowSeconds != l.windowSeconds {
                add("limit \(l.name)", "window \(CompiledPolicy.durationText(b.windowSeconds)) → \(CompiledPolicy.durationText(l.windowSeconds))",
                    l.windowSeconds < b.windowSeconds ? .weaker : .stronger)
            }
            if b.per != l.per { add("limit \(l.name)", "kept per \(b.per.rawValue) → per \(l.per.rawValue)", .changed) }
        }
        for l in old.limits where !newLimitNames.contains(l.name) { add("limit \(l.name)", "removed", .weaker) }
        // Fee limits: a higher cap or gas limit is weaker; a chain that loses its limit accepts no parameters.
        for l in new.feeLimits {
            guard let b = old.feeLimits.first(where: { $0.chain.value == l.chain.value }) else {
                add("fee limit \(l.chain.value)", "added", .weaker)
                continue
            }
            for (name, before, after) in [("max_fee_per_gas_gwei", b.maxFeePerGasGwei, l.maxFeePerGasGwei),
                                          ("max_priority_fee_per_gas_gwei", b.maxPriorityFeePerGasGwei, l.maxPriorityFeePerGasGwei),
                                          ("max_gas_limit", FixedDecimal(b.maxGasLimit) ?? .zero, FixedDecimal(l.maxGasLimit) ?? .zero)]
            where before != after {
                add("fee limit \(l.chain.value)", "\(name) \(before.grouped) → \(after.grouped)", after > before ? .weaker : .stronger)
            }
        }
        for l in old.feeLimits where !new.feeLimits.contains(where: { $0.chain.value == l.chain.value }) {
            add("fee limit \(l.chain.value)", "removed", .stronger)
        }
        // Groups.
        let oldGroups = Dictionary(old.groups.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for g in new.groups {
            guard let b = oldGroups[g.name] else {
                add("group \(g.name)", "added", .changed)
                continue
            }
            Self.compareNames("group \(g.name) users", b.users, g.users, widerIs: .weaker, add)
            Self.compareNames("group \(g.name) roles", b.roles, g.roles, widerIs: .weaker, add)
        }
        for g in old.groups where !new.groups.contains(where: { $0.name == g.name }) { add("group \(g.name)", "removed", .changed) }
        // Principals.
        let oldPrincipals = Dictionary(old.principals.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for p in new.principals {
            guard let b = oldPrincipals[p.id] else {
                add("\(p.kind.rawValue) \(p.id)", "added with roles \(p.roles.map(\.value).joined(separator: ", "))", .weaker)
                continue
            }
            if b.kind != p.kind { add("principal \(p.id)", "kind \(b.kind.rawValue) → \(p.kind.rawValue)", .changed) }
            Self.compareNames("\(p.kind.rawValue) \(p.id) roles", b.roles, p.roles, widerIs: .weaker, add)
        }
        for p in old.principals where oldPrincipals[p.id] != nil && !new.principals.contains(where: { $0.id == p.id }) {
            add("\(p.kind.rawValue) \(p.id)", "removed", .stronger)
        }
        // Address book.
        let oldEntries = Dictionary(old.addressBook.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for e in new.addressBook {
            guard let b = oldEntries[e.name] else {
                add("address book \(e.name)", "added: \(e.chain.value) \(e.address) tags \(e.tags.map(\.value).joined(separator: ", "))", .weaker)
                continue
            }
            if b.address != e.address || b.chain.value != e.chain.value {
                add("address book \(e.name)", "address \(b.chain.value) \(b.address) → \(e.chain.value) \(e.address)", .changed)
            }
            if b.counterparty != e.counterparty {
                add("address book \(e.name)", "counterparty \(b.counterparty ?? "none") → \(e.counterparty ?? "none")", .changed)
            }
            Self.compareNames("address book \(e.name) tags", b.tags, e.tags, widerIs: .changed, add)
        }
        for e in old.addressBook where !new.addressBook.contains(where: { $0.name == e.name }) {
            add("address book \(e.name)", "removed", .stronger)
        }
        // Governance.
        switch (old.governance, new.governance) {
        case (nil, .some):
            add("governance", "added", .stronger)
        case (.some, nil):
            add("governance", "removed", .weaker)
        case (.some(let b), .some(let g)):
            Self.compareRequirement("governance quorum", b.quorum, g.quorum, add)
            Self.compareNames("governance proposers (users)", b.proposerUsers, g.proposerUsers, widerIs: .weaker, add)
            Self.compareNames("governance proposers (roles)", b.proposerRoles, g.proposerRoles, widerIs: .weaker, add)
            Self.compareNames("governance freeze roles", b.freezeRoles, g.freezeRoles, widerIs: .changed, add)
            let keys = Set(b.overrides.keys.map(\.value)).union(g.overrides.keys.map(\.value)).sorted()
            for key in keys {
                let before = b.overrides.first { $0.key.value == key }?.value ?? b.quorum
                let after = g.overrides.first { $0.key.value == key }?.value ?? g.quorum
                Self.compareRequirement("governance \(key)", before, after, add)
            }
            for action in GovernanceOperation.Action.allCases {
                let before = b.timelock(action), after = g.timelock(action)
                guard before != after else { continue }
                func text(_ seconds: Int?) -> String { seconds.map { "waits \($0) s" } ?? "executes at once" }
                add("governance timelock \(action.rawValue)", "\(text(before)) → \(text(after))",
                    (after ?? 0) < (before ?? 0) ? .weaker : .stronger)
            }
        case (nil, nil):
            break
        }
        if new.version > old.version {
            c.insert(Change(subject: "version", detail: "\(old.version) → \(new.version)", direction: .changed), at: 0)
        } else if !c.isEmpty || new.version < old.version {
            c.insert(Change(subject: "version", detail: "\(old.version) → \(new.version): a changed policy needs a higher version",
                            direction: .changed), at: 0)
        }
        Self.compareKeys(old.keys, new.keys, add)
        Self.compareEnvironments(old, new, registeredBots: registeredBots, add)
        Self.comparePrices(old.prices, new.prices, add)
        Self.compareApprovals(old.approvals, new.approvals, add)
        Self.compareLookalike(old, new, add)
        Self.compareCoolingOff(old.coolingOff, new.coolingOff, add)
        // Liveness: a silent signer set is replaced sooner or later (a failed presigning batch's
        // evidence keeps at least 30 s, so no honest signer is convicted for a short timeout).
        if old.signing.attemptTimeoutSeconds != new.signing.attemptTimeoutSeconds {
            add("signing attempt_timeout", "\(old.signing.attemptTimeoutSeconds) s → \(new.signing.attemptTimeoutSeconds) s", .changed)
        }
        if old.signing.offlineTimeoutSeconds != new.signing.offlineTimeoutSeconds {
            add("signing offline_timeout", "\(old.signing.offlineTimeoutSeconds) s → \(new.signing.offlineTimeoutSeconds) s", .changed)
        }
        // Monitoring only: when a missing receipt raises an alert.
        if old.alerts.receiptDeadlineText != new.alerts.receiptDeadlineText {
            add("alerts receipt_deadline", "\(old.alerts.receiptDeadlineText) → \(new.alerts.receiptDeadlineText)", .changed)
        }
        // Fewer alerts that freeze signing is weaker.
        if old.alerts.freezeOn != new.alerts.freezeOn {
            add("alerts freeze_on", "\(old.alerts.freezeOnText) → \(new.alerts.freezeOnText)",
                new.alerts.freezeOn.isSuperset(of: old.alerts.freezeOn) ? .stronger : old.alerts.freezeOn.isSuperset(of: new.alerts.freezeOn) ? .weaker : .changed)
        }
        // Monitoring: what raises alerts from the chain (fewer is weaker, but either way the people approving read it).
        // By what is watched, not where it is written: a chain name carries its line (review
        // helper-127 M5), so an edit elsewhere in the file would show the section as changed.
        if old.monitoring.text != new.monitoring.text {
            add("monitoring", "\(old.monitoring.text) → \(new.monitoring.text)", .changed)
        }
        changes = c
    }

    static func outcomeText(_ o: PolicyDocument.Outcome) -> String {
        switch o {
        case .allow: return "allow"
        case .deny: return "deny"
        case .require(let r): return "require " + requirementText(r)
        }
    }

    static func requirementText(_ r: PolicyDocument.Requirement) -> String {
        switch r {
        case .group(let g, let count): return "\(count) of \(g.value)"
        case .all(let c): return "all(" + c.map(requirementText).joined(separator: ", ") + ")"
        case .any(let c): return "any(" + c.map(requirementText).joined(separator: ", ") + ")"
        }
    }

    /// The fewest approvals that can satisfy a requirement.
    static func minimumApprovals(_ r: PolicyDocument.Requirement) -> Int {
        switch r {
        case .group(_, let count): return count
        case .all(let c): return c.map(minimumApprovals).reduce(0, +)
        case .any(let c): return c.map(minimumApprovals).min() ?? 0
        }
    }

    private static func compareRequirement(
        _ subject: String, _ b: PolicyDocument.Requirement, _ a: PolicyDocument.Requirement,
        _ add: (String, String, Direction) -> Void
    ) {
        guard requirementText(b) != requirementText(a) else { return }
        let nb = minimumApprovals(b)
        let na = minimumApprovals(a)
        if nb != na {
            add(subject, "approvals \(nb) → \(na): \(requirementText(b)) → \(requirementText(a))", na < nb ? .weaker : .stronger)
        } else {
            add(subject, "approvers \(requirementText(b)) → \(requirementText(a))", .changed)
        }
    }

    private static func looser(_ before: FixedDecimal?, _ after: FixedDecimal?) -> Bool {
        switch (before, after) {
        case (_, nil): return true
        case (nil, .some): return false
        case (.some(let b), .some(let a)): return a > b
        }
    }

    private static func compareNames(
        _ subject: String, _ before: [Spanned<String>], _ after: [Spanned<String>], widerIs: Direction,
        _ add: (String, String, Direction) -> Void
    ) {
        let b = Set(before.map(\.value))
        let a = Set(after.map(\.value))
        let added = a.subtracting(b).sorted()
        let removed = b.subtracting(a).sorted()
        guard !added.isEmpty || !removed.isEmpty else { return }
        var parts: [String] = []
        if !added.isEmpty { parts.append("+" + added.joined(separator: ", +")) }
        if !removed.isEmpty { parts.append("-" + removed.joined(separator: ", -")) }
        let direction: Direction
        if widerIs == .changed || (!added.isEmpty && !removed.isEmpty) {
            direction = .changed
        } else {
            direction = !added.isEmpty ? widerIs : (widerIs == .weaker ? .stronger : .weaker)
        }
        add(subject, parts.joined(separator: " "), direction)
    }

    static func timeText(_ w: PolicyDocument.TimeWindow) -> String {
        func clock(_ m: Int) -> String { (m / 60 < 10 ? "0" : "") + "\(m / 60):" + (m % 60 < 10 ? "0" : "") + "\(m % 60)" }
        let days = w.days.sorted().map { PolicyDocument.weekdays[$0] }.joined(separator: ",")
        return "\(days) \(clock(w.fromMinute))-\(clock(w.toMinute)) \(w.zone)"
    }

    private static func rangeText(_ r: PolicyDocument.AmountRange?) -> String {
        guard let r else { return "any" }
        return CompiledPolicy.rangeText(CompiledRule.Range(over: r.over, atLeast: r.atLeast, upTo: r.upTo, under: r.under))
    }

    /// Whether range `a` admits every value `b` admits (nil is unbounded).
    private static func rangeIsWider(_ a: PolicyDocument.AmountRange?, than b: PolicyDocument.AmountRange?) -> Bool {
        func lower(_ r: PolicyDocument.AmountRange?) -> FixedDecimal? { r?.over ?? r?.atLeast }
        func upper(_ r: PolicyDocument.AmountRange?) -> FixedDecimal? { r?.upTo ?? r?.under }
        let lowerOK: Bool = {
            guard let la = lower(a) else { return true }
            guard let lb = lower(b) else { return false }
            return la <= lb
        }()
        let upperOK: Bool = {
            guard let ua = upper(a) else { return true }
            guard let ub = upper(b) else { return false }
            return ua >= ub
        }()
        return lowerOK && upperOK
    }

    private static func compareRule(
        _ b: PolicyDocument.Rule, _ a: PolicyDocument.Rule, _ add: (String, String, Direction) -> Void
    ) {
        let subject = "rule \(a.name)"
        if outcomeText(b.outcome) != outcomeText(a.outcome) {
            switch (b.outcome, a.outcome) {
            case (.require(let rb), .require(let ra)):
                compareRequirement(subject, rb, ra, add)
            default:
                add(subject, "outcome \(outcomeText(b.outcome)) → \(outcomeText(a.outcome))",
                    a.outcome.strength < b.outcome.strength ? .weaker : .stronger)
            }
        }
        if b.approvalExpirySeconds != a.approvalExpirySeconds {
            let before = b.approvalExpirySeconds ?? PolicyDecision.defaultApprovalExpirySeconds
            let after = a.approvalExpirySeconds ?? PolicyDecision.defaultApprovalExpirySeconds
            // Longer to collect approvals is weaker: an old approval request stays signable longer.
            if before != after { add(subject, "expires \(before)s → \(after)s", after > before ? .weaker : .stronger) }
        }
        // A broader match makes an allow weaker and a deny/require stronger.
        let broaderIs: Direction = a.outcome == .allow ? .weaker : .stronger
        let narrowerIs: Direction = a.outcome == .allow ? .stronger : .weaker
        for (name, rb, ra) in [("amount", b.match.amount, a.match.amount), ("amount_usd", b.match.amountUSD, a.match.amountUSD),
                               ("fee", b.match.fee, a.match.fee)] {
            let tb = rangeText(rb)
            let ta = rangeText(ra)
            guard tb != ta else { continue }
            let wider = rangeIsWider(ra, than: rb)
            let narrower = rangeIsWider(rb, than: ra)
            add(subject, "\(name) \(tb) → \(ta)", wider ? broaderIs : narrower ? narrowerIs : .changed)
        }
        let lists: [(String, [Spanned<String>]?, [Spanned<String>]?)] = [
            ("initiator users", b.match.initiatorUsers, a.match.initiatorUsers),
            ("initiator roles", b.match.initiatorRoles, a.match.initiatorRoles),
            ("vaults", b.match.vaults, a.match.vaults), ("chains", b.match.chains, a.match.chains),
            ("assets", b.match.assets, a.match.assets),
            ("destination entries", b.match.destination?.entries, a.match.destination?.entries),
            ("destination tags", b.match.destination?.tags, a.match.destination?.tags),
            ("destination counterparties", b.match.destination?.counterparties, a.match.destination?.counterparties),
            ("operations", b.match.operations, a.match.operations),
        ]
        for (name, lb, la) in lists {
            switch (lb, la) {
            case (nil, nil): continue
            case (.some, nil): add(subject, "\(name) restriction removed (now any)", broaderIs)
            case (nil, .some(let l)): add(subject, "\(name) restricted to \(l.map(\.value).joined(separator: ", "))", narrowerIs)
            case (.some(let x), .some(let y)): compareNames("\(subject) \(name)", x, y, widerIs: broaderIs, add)
            }
        }
        if b.match.destination?.known != a.match.destination?.known {
            add(subject, "destination known \(b.match.destination?.known.map(String.init) ?? "any") → \(a.match.destination?.known.map(String.init) ?? "any")", .changed)
        }
        compareNames("\(subject) within limits", b.match.within, a.match.within, widerIs: narrowerIs, add)
        compareNames("\(subject) exceeds limits", b.match.exceeds, a.match.exceeds, widerIs: .changed, add)
        for (name, wb, wa) in [("during", b.match.during, a.match.during), ("outside", b.match.outside, a.match.outside)] {
            let tb = wb.map(timeText) ?? "any time"
            let ta = wa.map(timeText) ?? "any time"
            if tb != ta { add(subject, "\(name) \(tb) → \(ta)", .changed) }
        }
        if b.when?.value != a.when?.value {
            add(subject, "condition `\(b.when?.value ?? "none")` → `\(a.when?.value ?? "none")`", .changed)
        }
    }
}
