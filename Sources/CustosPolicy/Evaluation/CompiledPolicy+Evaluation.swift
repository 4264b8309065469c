extension CompiledPolicy {
    /// Decides a request. A pure function of the policy, the request and the snapshot: no clock,
    /// no I/O, no floating point; the same inputs give the same decision on every node.
    ///
    /// Deny beats require beats allow; nothing allowed means deny. A require rule adds
    /// approvals to a request some allow rule permits and never permits anything by itself, so
    /// adding a deny or require rule can never make a decision more permissive. A deny or require rule
    /// whose clause cannot be evaluated (missing price, decimal overflow, absent argument)
    /// applies; an allow rule in that case does not. When signing is frozen, every request that
    /// is not a governance operation is denied; so is a transfer or call to an address-book
    /// entry the snapshot holds (cooling off, or cancelled), before any rule is read.
    public func evaluate(_ request: PolicyRequest, in state: StateSnapshot) -> PolicyDecision {
        let context = EvaluationContext(policy: self, request: request, state: state)
        return decide(context)
    }

    func decide(_ c: EvaluationContext) -> PolicyDecision {
        let isGovernance = c.request.kind == .governance
        if c.state.frozen && !isGovernance {
            return PolicyDecision(outcome: .deny, reason: .frozen, applied: [], skippedAllows: [], pending: [], countedApprovers: [])
        }
        if c.request.amount < .zero || c.request.fee < .zero {
            return PolicyDecision(
                outcome: .deny, reason: .invalidRequest("negative amount or fee"), applied: [], skippedAllows: [], pending: [],
                countedApprovers: [])
        }
        if c.initiator < 0 {
            return PolicyDecision(
                outcome: .deny, reason: .unknownInitiator, applied: [], skippedAllows: [], pending: [], countedApprovers: [])
        }
        if !principals[c.initiator].missingOnboarding.isEmpty {
            let gap = OnboardingGap(person: principals[c.initiator].id, missing: principals[c.initiator].missingOnboarding)
            return PolicyDecision(outcome: .deny, reason: .notOnboarded(gap), applied: [], skippedAllows: [], pending: [], countedApprovers: [])
        }
        if let mismatch = environmentMismatch(c) {
            return PolicyDecision(
                outcome: .deny, reason: .outsideEnvironment(mismatch), applied: [], skippedAllows: [], pending: [], countedApprovers: [])
        }
        if let held = destinationHold(c) {
            return PolicyDecision(
                outcome: .deny, reason: .destinationHeld(entry: entries[held.entry].name, held.hold), applied: [], skippedAllows: [], pending: [],
                countedApprovers: [])
        }
        var applied: [PolicyDecision.AppliedRule] = []
        var skipped: [PolicyDecision.SkippedAllow] = []
        var firstDeny: Int = -1
        var firstAllow: Int = -1
        var requires: [Int] = []
        applied.reserveCapacity(8)
        var windows = ProjectionCache(count: limits.count)
        for index in isGovernance ? governanceRules : transferRules {
            let rule = rules[index]
            switch match(rule, c, &windows) {
            case .noMatch:
                continue
            case .match:
                applied.append(.init(name: rule.name, effect: rule.effect.publicEffect, failedClosed: nil))
            case .failure(let problem):
                if case .allow = rule.effect {
                    skipped.append(.init(name: rule.name, problem: problem))
                    continue
                }
                applied.append(.init(name: rule.name, effect: rule.effect.publicEffect, failedClosed: problem))
            }
            switch rule.effect {
            case .deny: if firstDeny < 0 { firstDeny = index }
            case .require: requires.append(index)
            case .allow: if firstAllow < 0 { firstAllow = index }
            }
        }
        if firstDeny >= 0 {
            return figured(PolicyDecision(
                outcome: .deny, reason: .deniedByRule(rules[firstDeny].name), applied: applied, skippedAllows: skipped,
                pending: [], countedApprovers: []), windows, c)
        }
        if firstAllow < 0 {
            return figured(PolicyDecision(
                outcome: .deny, reason: .noRuleMatched, applied: applied, skippedAllows: skipped, pending: [],
                countedApprovers: []), windows, c)
        }
        if !requires.isEmpty {
            let approvers = eligibleApprovers(c)
            var pending: [PolicyDecision.PendingApproval] = []
            var unmet: [PolicyDecision.Requirement] = []
            for index in requires {
                guard case .require(let requirement) = rules[index].effect else { continue }
                let (satisfied, missing) = requirement.missing(approvers: approvers, members: groupMembers(in: c.environment))
                if !satisfied {
                    let rule = rules[index].name
                    for term in missing {
                        pending.append(.init(rule: rule, group: groupNames.names[term.group], count: term.count))
                    }
                    unmet.append(.init(rule: rule, alternatives: requirement.alternatives.map { terms in
                        terms.map { PolicyDecision.PendingApproval(rule: rule, group: groupNames.names[$0.group], count: $0.count) }
                    }))
                }
            }
            let counted = approvers.map { users.names[$0] }
            let expiry = requires.compactMap { index -> Int? in
                guard case .require(let requirement) = rules[index].effect else { return nil }
                return requirement.expirySeconds
            }.min()
            var decision = PolicyDecision(
                outcome: pending.isEmpty ? .allow : .needsApprovals, reason: pending.isEmpty ? .approved : .approvalsPending,
                applied: applied, skippedAllows: skipped, pending: pending, countedApprovers: counted,
                approvalExpirySeconds: pending.isEmpty ? nil : expiry)
            decision.requirements = unmet
            return figured(decision, windows, c)
        }
        return figured(PolicyDecision(
            outcome: .allow, reason: .allowedByRule(rules[firstAllow].name), applied: applied, skippedAllows: skipped,
            pending: [], countedApprovers: []), windows, c)
    }

    /// The first entry among the request's recipients (its destination first,
    /// `EvaluationContext.recipients`) whose hold refuses it now, and the hold: a transfer, call
    /// or message to, or naming, an entry still cooling off or cancelled during its cooling-off.
    func destinationHold(_ c: EvaluationContext) -> (entry: Int, hold: DestinationHold)? {
        guard c.request.kind != .governance else { return nil }
        for address in c.recipients {
            if let held = heldEntry(at: address, chain: c.request.chain, state: c.state) { return held }
        }
        return nil
    }

    /// The first entry at `normalized` on `chain` (on any chain when `chain` is empty), in
    /// document order, whose hold in `state` refuses a request now, and the hold.
    func heldEntry(at normalized: String, chain: String, state: StateSnapshot) -> (entry: Int, hold: DestinationHold)? {
        guard !state.destinationHolds.isEmpty, let candidates = entriesAtAddress[normalized] else { return nil }
        for i in candidates where chain.isEmpty || (entries[i].chain >= 0 && chains.names[entries[i].chain] == chain) {
            if let hold = state.destinationHolds[entries[i].name], hold.refuses(at: state.time) { return (i, hold) }
        }
        return nil
    }

    /// `decision` with the window figures it read, the price it used and the destination's warnings.
    private func figured(_ decision: PolicyDecision, _ windows: ProjectionCache, _ c: EvaluationContext) -> PolicyDecision {
        var d = decision
        d.windows = windows.figures(self)
        d.price = c.state.medians[c.request.asset]
        d.warnings = destinationWarnings(c)
        return d
    }

    /// Distinct known people, other than the initiator, who approved and act in the vault's
    /// environment; linear in the number of approvals however many repeats a request carries.
    func eligibleApprovers(_ c: EvaluationContext) -> [Int] {
        var result: [Int] = []
        var seen = BitSet(capacity: users.count)
        for id in c.request.approvals {
            let u = users.lookup(id)
            guard u >= 0, u != c.initiator, principals[u].kind == .person, !seen.contains(u) else { continue }
            if let environment = c.environment, !environments(of: u).contains(environment) { continue }
            seen.insert(u)
            result.append(u)
        }
        return result
    }

    enum MatchResult {
        case noMatch
        case match
        case failure(String)
    }

    /// Whether a rule applies: every clause must hold. Clauses that cannot fail are tested
    /// first; a clause that fails to evaluate is remembered while the rest are still tested, so
    /// that a rule another clause rules out is never applied "closed".
    func match(_ rule: CompiledRule, _ c: EvaluationContext, _ windows: inout ProjectionCache) -> MatchResult {
        let r = c.request
        if rule.governance {
            guard let op = r.operation else { return .noMatch }
            if rule.operations != 0,
               rule.operations & PolicyCompiler.operationBit(op.action) == 0 { return .noMatch }
        } else {
            if rule.kinds & PolicyCompiler.kindBit(r.kind) == 0 { return .noMatch }
        }
        if rule.initiatorUsers != nil || rule.initiatorRoles != nil {
            let inUsers = rule.initiatorUsers?.contains(c.initiator) ?? false
            let inRoles = rule.initiatorRoles?.intersects(c.roles) ?? false
            if (inUsers || inRoles) == rule.initiatorNegated { return .noMatch }
        }
        if let kind = rule.initiatorKind, c.initiatorKind != kind { return .noMatch }
        if let vaults = rule.vaults, !vaults.contains(c.vault) { return .noMatch }
        if let chains = rule.chains, !chains.contains(c.chain) { return .noMatch }
        if let assets = rule.assets, !assets.contains(c.asset) { return .noMatch }
        if let d = rule.destination {
            if let known = d.known, known != (c.entry >= 0) { return .noMatch }
            if d.hasSets {
                guard c.entry >= 0 else { return .noMatch }
                let e = entries[c.entry]
                if !(d.entries.contains(c.entry) || d.tags.intersects(e.tags) || d.counterparties.contains(e.counterparty)) {
                    return .noMatch
                }
            }
        }
        if let range = rule.amount, !range.contains(r.amount) { return .noMatch }
        if let range = rule.fee, !range.contains(r.fee) { return .noMatch }
        if let call = rule.call {
            guard let rc = r.call else { return .noMatch }
            if let targets = call.targets, !targets.contains(AddressNormalization.normalize(rc.target)) { return .noMatch }
            if let functions = call.functions, !functions.contains(rc.function) { return .noMatch }
        }
        if let clause = rule.message {
            guard let message = r.message, clause.mismatch(message) == nil else { return .noMatch }
        }
        if let w = rule.during, !inside(w, c) { return .noMatch }
        if let w = rule.outside, inside(w, c) { return .noMatch }
        var failure: String?
        if let range = rule.amountUSD {
            if let usd = c.amountUSD {
                if !range.contains(usd) { return .noMatch }
            } else {
                failure = c.usdProblem
            }
        }
        for l in rule.within {
            switch windows.projection(l, c, self) {
            case .success(let p): if !p.holds { return .noMatch }
            case .failure(let f): failure = failure ?? f.message
            }
        }
        if !rule.exceeds.isEmpty {
            var anyExceeded = false
            var exceedFailure: String?
            for l in rule.exceeds {
                switch windows.projection(l, c, self) {
                case .success(let p): if !p.holds { anyExceeded = true }
                case .failure(let f): exceedFailure = exceedFailure ?? f.message
                }
            }
            if !anyExceeded {
                guard let exceedFailure else { return .noMatch }
                failure = failure ?? exceedFailure
            }
        }
        if let condition = rule.condition {
            do {
                if try !condition.bool(c, nil) { return .noMatch }
            } catch {
                failure = failure ?? "condition could not be evaluated: \(error.message)"
            }
        }
        if let failure { return .failure(failure) }
        return .match
    }

    func inside(_ w: PolicyDocument.TimeWindow, _ c: EvaluationContext) -> Bool {
        let (minute, weekday) = c.localTime(offsetSeconds: w.offsetSeconds)
        return w.days.contains(weekday) && minute >= w.fromMinute && minute < w.toMinute
    }

    /// A limit's window after this request: totals already spent plus this request.
    struct Projection {
        let key: String
        let usd: FixedDecimal?
        let count: Int
        let holds: Bool
    }

    func projected(_ limitIndex: Int, _ c: EvaluationContext) -> Result<Projection, EvaluationFailure> {
        let limit = limits[limitIndex]
        let key = c.limitKey(limit.per)
        let total = c.state.windows[limit.name, key]
        var holds = true
        var usd: FixedDecimal?
        if let max = limit.maxUSD {
            guard let amount = c.amountUSD else {
                return .failure(EvaluationFailure("limit \(limit.name): \(c.usdProblem ?? "no USD notional")"))
            }
            guard let sum = total.usd.adding(amount) else {
                return .failure(EvaluationFailure("limit \(limit.name): total overflows"))
            }
            usd = sum
            if sum > max { holds = false }
        }
        let (count, overflow) = total.count.addingReportingOverflow(1)
        guard !overflow else { return .failure(EvaluationFailure("limit \(limit.name): count overflows")) }
        if let max = limit.maxCount, count > max { holds = false }
        return .success(Projection(key: key, usd: usd, count: count, holds: holds))
    }
}

extension CompiledRule.Effect {
    var publicEffect: PolicyDecision.Effect {
        switch self {
        case .allow: return .allow
        case .deny: return .deny
        case .require: return .require
        }
    }
}
