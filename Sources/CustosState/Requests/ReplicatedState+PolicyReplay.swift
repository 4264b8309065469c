import CustosCore
import CustosPolicy

extension ReplicatedState {
    /// A scheduled count in the replay's windows: a request the approvals given would have
    /// approved, counted from the time of the approval that did.
    private struct DueCount {
        let time: UInt64
        let order: Int
        let id: String
        let request: PolicyRequest
        let usd: FixedDecimal?
    }

    /// The replay (`replay(_:since:)`) of a proposed policy document, compiled as a
    /// `change-policy` operation would be when it executes (its people and bots from the
    /// registries, governance still reachable); throws why every node would refuse it.
    public func replay(yaml: String, since: UInt64) throws(GovernanceError) -> PolicyReplay {
        replay(try proposedPolicy(yaml: yaml), since: since)
    }

    /// A proposed policy document compiled as a `change-policy` operation's is when it executes:
    /// its people and bots from the registries, governance still reachable, its version above
    /// the one in force. Throws why every node would refuse it.
    public func proposedPolicy(yaml: String) throws(GovernanceError) -> CompiledPolicy {
        let (document, policy) = try Self.compile(yaml: yaml, users: users, bots: bots)
        // As the operation's execution would refuse it (review helper-92 L3).
        guard document.version > policyVersion else {
            throw GovernanceError(.invalidChange, "policy version \(document.version) does not exceed the current \(policyVersion)")
        }
        return policy
    }

    /// How many kept requests a replay from block time `since` decides again
    /// (`PolicyReplay.maximumPeriodMilliseconds` bounds the period as `replay(_:since:)` does).
    public func replayedRequests(since: UInt64) -> Int {
        let from = max(since, time - min(time, PolicyReplay.maximumPeriodMilliseconds))
        return requestBook.order.count { requestBook.requests[$0].map { $0.blockTime >= from } ?? false }
    }

    /// The measure of a replay's work (`replay(_:since:)`) of `policy` from `since`, before it
    /// runs: it decides the period twice (under the policy in force and under `policy`), each
    /// request against every rule and limit, and walks the windows' seed and every kept request
    /// through each policy's limits (review helper-92 M3: a period of one second under a policy
    /// of ten thousand limits is no small replay).
    public func replayWork(of policy: CompiledPolicy, since: UInt64) -> (requests: Int, work: Int) {
        let requests = replayedRequests(since: since)
        let from = max(since, time - min(time, PolicyReplay.maximumPeriodMilliseconds))
        let walked = windows.heldCount(before: from) + requestBook.order.count
        let work = { (p: CompiledPolicy) in
            requests * max(1, p.document.rules.count + p.document.limits.count) + walked * max(1, p.document.limits.count)
        }
        return (requests, work(self.policy) + work(policy))
    }

    /// One request of the period decided again under one policy (`decideAgain`).
    private struct Redecided {
        let decision: PolicyDecision
        let verdict: PolicyReplay.Verdict
        let fill: Bool?
        let recordedPrice: Bool
    }

    /// What `policy` would have decided differently for the recorded requests decided at or after
    /// block time `since` (milliseconds; at most `PolicyReplay.maximumPeriodMilliseconds` before
    /// the head, and never before the oldest request the requests room keeps).
    ///
    /// The period is decided again twice, in the same way: under the policy in force (the
    /// baseline) and under `policy`; a request is listed when the two differ. Both read what the
    /// replay cannot know as of the time (the registry, address-book holds, key ages, a price
    /// that was not recorded) alike, at the head, so none of that shows as a change the new
    /// policy makes (review helper-92 H1); requests where the baseline itself departs from what
    /// was decided at the time are counted in `limitations`.
    ///
    /// Each run's windows, kept under its policy, start from what the state's windows room holds
    /// counted before the period (every request approved for signing in the last 31 days at
    /// least), recounted under that policy at the USD the state counted them at. Then every
    /// request the room keeps is taken in log order: one decided before the period and approved
    /// inside it counts from its approval; one of the period is decided again — at its block
    /// time, with its asset at the price recorded with its decision — and counts only when the
    /// policy allows it, or when the approvals it was actually given (their givers, not the
    /// initiator, as the policy's groups read them) fill what the policy asks, from the time its
    /// approval completed. A request the policy denies, or holds for approvals it was not given,
    /// does not count toward later ones. A request refused because signing was frozen is not
    /// decided again (`PolicyReplay.frozen`).
    ///
    /// A request is listed when what becomes of it differs (signed as allowed, signed after
    /// approvals, never signed), when the outcome differs, or when the approvals asked differ —
    /// the alternative the nodes ask, groups compared by the people they resolve to, never by
    /// name — looser changes first. Pure: no I/O, no clock, no dictionary order.
    public func replay(_ policy: CompiledPolicy, since: UInt64) -> PolicyReplay {
        let until = time
        var from = max(since, until - min(until, PolicyReplay.maximumPeriodMilliseconds))
        let history = requestBook.order.compactMap { requestBook.requests[$0] }
        var limitations: [String] = []
        if requestBook.order.count >= RequestBook.maximumRecordedRequests, let oldest = history.first, oldest.blockTime > from {
            from = oldest.blockTime
            limitations.append(
                "the state keeps the last \(RequestBook.maximumRecordedRequests) requests: the replay starts at the oldest kept")
        }
        // The state's windows hold every counted request of its longest window, and at least 31 days.
        let longest = { (p: CompiledPolicy) in UInt64(p.windowLimits.map(\.seconds).max() ?? 0) * 1000 }
        let holds = max(longest(self.policy), WindowBook.minimumHoldMilliseconds)
        if from - min(from, longest(policy)) < until - min(until, holds) {
            limitations.append(
                "the new policy's longest window reaches further back than the \(holds % 86_400_000 == 0 ? "\(holds / 86_400_000) days" : "\(holds / 1000) s") the state holds: its windows miss requests counted before that")
        }
        let baseline = decideAgain(history, from: from, under: self.policy)
        let proposed = decideAgain(history, from: from, under: policy)
        let groupsInForce = { (g: String) in self.policy.members(ofGroup: g) }
        var changes: [PolicyReplay.Change] = []
        var changed = 0
        var drifted = 0
        var olderVersions = 0
        for (order, recorded) in history.enumerated() {
            guard let new = proposed.decided[order], let old = baseline.decided[order] else { continue }
            let recordedFate: PolicyReplay.Fate =
                recorded.outcome == .allow ? .allowed : recorded.approvals?.status == .approved ? .approved : .notSigned
            if old.verdict.differs(from: PolicyReplay.Verdict(recorded.decision, fate: recordedFate, members: groupsInForce)) { drifted += 1 }
            guard new.verdict.differs(from: old.verdict) else { continue }
            changed += 1
            let older = recorded.policyVersion < policyVersion ? recorded.policyVersion : nil
            if older != nil { olderVersions += 1 }
            changes.append(PolicyReplay.Change(
                requestId: recorded.id, blockTime: recorded.blockTime, initiator: recorded.initiator,
                summary: replaySummary(recorded.request), old: old.verdict, new: new.verdict, reason: Self.replayReason(new.decision),
                approvalsGivenFill: new.fill, recordedPrice: new.recordedPrice, regrouped: new.verdict.regrouped(from: old.verdict),
                loosens: new.verdict.loosens(old.verdict), decidedUnderVersion: older))
        }
        let looser = changes.filter(\.loosens)
        let currentPrices = proposed.currentPrices
        if currentPrices > 0 {
            limitations.append(
                "\(currentPrices) request\(currentPrices == 1 ? "" : "s") had no price recorded with \(currentPrices == 1 ? "its" : "their") decision that the new policy takes: the replay used the median at the head, not the price at the time")
        }
        if drifted > 0 {
            limitations.append(
                "\(drifted) request\(drifted == 1 ? " is" : "s are") decided differently by the policy in force itself when replayed (the registry, cooling-off holds, key ages and missing prices are read at the head, or an older policy version decided \(drifted == 1 ? "it" : "them")): the new policy is compared with that replay, not with what was decided at the time")
        }
        if olderVersions > 0 {
            limitations.append(
                "\(olderVersions) changed request\(olderVersions == 1 ? " was" : "s were") decided under an older policy version than \(policyVersion): \(olderVersions == 1 ? "it is" : "they are") compared with version \(policyVersion) replayed")
        }
        limitations.append(
            "an approval given counts if its giver is in a group the policy asks for; approval-time checks (hourly bounds, hasty flags) are not replayed")
        limitations.append(
            "the registry, address-book cooling-off and watchers' reports are read as they are at the head; a request of the period that failed before broadcast counts as signed")
        return PolicyReplay(
            since: from, until: until, policyVersion: policyVersion, newPolicyVersion: policy.document.version, replayed: proposed.replayed,
            changes: Array((looser + changes.filter { !$0.loosens }).prefix(PolicyReplay.maximumListedChanges)),
            changedCount: changed, looserCount: looser.count, frozen: proposed.frozen, limitations: limitations)
    }

    /// The kept requests of `history` decided at or after `from` decided again under `policy`, in
    /// log order with its own windows (`replay(_:since:)`), by their index in `history`; how many
    /// were replayed, refused as frozen, and priced at the head for want of a recorded price.
    private func decideAgain(
        _ history: [RecordedRequest], from: UInt64, under policy: CompiledPolicy
    ) -> (decided: [Int: Redecided], replayed: Int, frozen: Int, currentPrices: Int) {
        let until = time
        var books = WindowsRoom(policy: policy)
        var due: [DueCount] = []
        var decided: [Int: Redecided] = [:]
        var replayed = 0
        var frozenCount = 0
        var currentPrices = 0
        let groups = { (g: String) in policy.members(ofGroup: g) }

        /// The USD price a request counts at in the replay's windows: the one recorded with its
        /// decision when the policy's price rules take it, else the median at the head.
        func windowPrice(of request: PolicyRequest, recorded: PriceMedian?) -> FixedDecimal? {
            if let recorded, policy.document.prices.refusal(of: recorded) == nil { return recorded.usd }
            guard !request.asset.isEmpty else { return nil }
            currentPrices += 1
            guard case .success(let median) = prices.median(of: request.asset, in: sourceEnvironment(of: request), policy: policy.document.prices, at: Int64(until / 1000)),
                  policy.document.prices.refusal(of: median) == nil else { return nil }
            return median.usd
        }
        func flush(upTo t: UInt64) {
            while let next = due.first, next.time <= t {
                due.removeFirst()
                books.expire(at: next.time)
                let charge = policy.windowCharge(for: next.request, in: Self.priced(next.request, usd: next.usd, at: next.time))
                if let charge { books.count(next.id, request: next.request, charge: charge, in: windowEnvironment(of: next.request), at: next.time) }
            }
        }
        func schedule(_ count: DueCount) {
            let index = due.firstIndex { ($0.time, $0.order) > (count.time, count.order) } ?? due.endIndex
            due.insert(count, at: index)
        }

        // What the state counted before the period, recounted under the policy at the USD
        // notional the state counted it at (review helper-92 M2: the same for both runs).
        for held in windows.held(before: from) {
            books.expire(at: held.time)
            if let charge = policy.windowCharge(for: held.request, in: Self.priced(held.request, usd: held.usd, at: held.time)) {
                books.count(held.id, request: held.request, charge: WindowCharge(usd: held.usd, keys: charge.keys), in: held.environment, at: held.time)
            }
        }

        for (order, recorded) in history.enumerated() {
            flush(upTo: recorded.blockTime)
            books.expire(at: recorded.blockTime)
            guard recorded.blockTime >= from else {
                // Before the period: one approved inside it counts from its approval (one
                // counted before it is in the seed already).
                if recorded.outcome != .allow, let approvals = recorded.approvals, approvals.status == .approved,
                   let at = approvals.decidedAt, at >= from {
                    let usd = windowPrice(of: recorded.request, recorded: recorded.decision.price)
                    schedule(DueCount(time: at, order: order, id: recorded.id, request: recorded.request, usd: usd))
                }
                continue
            }
            replayed += 1
            if recorded.decision.reason == .frozen {
                frozenCount += 1
                continue
            }
            var snapshot = requestAuthority(policy: policy, version: policyVersion, windows: books, frozen: false)
                .snapshot(for: recorded.request, blockTime: recorded.blockTime)
            // When the destination was first counted before the period, from the head (its
            // counts and largest notional at the head include later requests, and one of the
            // period may not count under the policy: the replay's own are used).
            // Both read in the request's environment's windows only.
            let environment = windowEnvironment(of: recorded.request)
            if let key = recorded.request.destinationKey, let first = windows.book(environment).destinations[key]?.firstSeen,
               first < Int64(from / 1000) {
                var seen = books.book(environment).destinations[key] ?? DestinationHistory(firstSeen: first, largestUSD: .zero, count: 0)
                seen.firstSeen = min(seen.firstSeen, first)
                snapshot.destinations[key] = seen
            }
            let asset = recorded.request.asset
            var usedRecordedPrice = false
            if let median = recorded.decision.price {
                usedRecordedPrice = true
                Self.setPrice(median, of: asset, in: &snapshot, policy: policy)
            } else if !asset.isEmpty {
                currentPrices += 1
                snapshot.medians[asset] = nil
                snapshot.prices[asset] = nil
                snapshot.priceProblems[asset] = nil
                switch prices.median(of: asset, in: sourceEnvironment(of: recorded.request), policy: policy.document.prices, at: Int64(until / 1000)) {
                case .success(let median): Self.setPrice(median, of: asset, in: &snapshot, policy: policy)
                case .failure(let problem): snapshot.priceProblems[asset] = problem.reason
                }
            }
            let usd = snapshot.prices[asset]
            let decision = policy.evaluate(recorded.request, in: snapshot)
            var fill: Bool? = nil
            let fate: PolicyReplay.Fate
            switch decision.outcome {
            case .allow:
                fate = .allowed
                schedule(DueCount(time: recorded.blockTime, order: order, id: recorded.id, request: recorded.request, usd: usd))
            case .needsApprovals:
                let fills = Self.approvalsFill(recorded, decision: decision, policy: policy, in: snapshot)
                fill = fills != nil
                fate = fills != nil ? .approved : .notSigned
                if let at = fills {
                    schedule(DueCount(time: max(at, recorded.blockTime), order: order, id: recorded.id, request: recorded.request, usd: usd))
                }
            case .deny:
                fate = .notSigned
            }
            flush(upTo: recorded.blockTime)
            decided[order] = Redecided(
                decision: decision,
                verdict: PolicyReplay.Verdict(decision, fate: fate, members: groups),
                fill: fill, recordedPrice: usedRecordedPrice)
        }
        return (decided, replayed, frozenCount, currentPrices)
    }

    /// When the approvals actually given to `recorded` would fill what the new `decision` asks
    /// (block time, milliseconds: its approval's, or the last counted approval's), nil when they
    /// would not. The givers are read as the new policy's groups have them, never the initiator;
    /// an approval over the hourly bound counts when the state approved the request with it; a
    /// rejection stands when the new policy asks its giver.
    private static func approvalsFill(
        _ recorded: RecordedRequest, decision: PolicyDecision, policy: CompiledPolicy, in snapshot: StateSnapshot
    ) -> UInt64? {
        guard let approvals = recorded.approvals else { return nil }
        let asked = Set(decision.askedGroups.flatMap { policy.members(ofGroup: $0, in: snapshot.vaultEnvironments[recorded.request.vault]) })
        if approvals.status == .rejected, let rejection = approvals.rejection, asked.contains(rejection.user) { return nil }
        let given = approvals.approvals.filter {
            $0.user != recorded.initiator && (!$0.beyondLimit || approvals.status == .approved) && $0.at <= approvals.decidedAt ?? .max
        }
        var approved = recorded.request
        approved.approvals = given.map(\.user)
        guard let last = given.last, policy.evaluate(approved, in: snapshot).outcome == .allow else { return nil }
        return approvals.status == .approved ? (approvals.decidedAt ?? last.at) : last.at
    }

    /// The request in a few words, with the destination's address-book entry in the policy in
    /// force: `2,000,000 USDC to kraken`, `approve on usdc-token`, `a message with sol-treasury`.
    private func replaySummary(_ r: PolicyRequest) -> String {
        let destination = policy.addressBookEntry(of: r) ?? r.destination
        switch r.kind {
        case .transfer: return "\(r.amount.grouped) \(r.asset) to \(destination)"
        case .contractCall: return "\(r.call?.function ?? "a call") on \(destination)"
        case .deploy: return "a deployment from \(r.vault)"
        case .message: return "a message with \(r.vault)"
        case .governance: return "governance \(r.id)"
        }
    }

    /// How many exceeded limits a replayed decision's reason names.
    static let maximumReasonLimits = 3
    /// The longest part of a replayed decision's reason, in characters (a rule or group name
    /// is the policy author's to choose).
    static let maximumReasonPartCharacters = 240

    /// A decision's reason in one line: the rule that decided it, the approvals it asks, and the
    /// first limits it exceeded.
    static func replayReason(_ d: PolicyDecision) -> String {
        /// The first `maximumReasonLimits` of `items`, and how many more under `more`.
        func few(_ items: [String], more: String) -> [String] {
            Array(items.prefix(maximumReasonLimits)) + (items.count > maximumReasonLimits ? ["and \(items.count - maximumReasonLimits) \(more)"] : [])
        }
        var parts: [String]
        switch d.reason {
        case .deniedByRule(let rule): parts = ["rule \(rule) denies it"]
        case .allowedByRule(let rule): parts = ["rule \(rule) allows it"]
        case .noRuleMatched: parts = ["no allow rule matches it"]
        case .approvalsPending:
            parts = few(d.pending.map { "rule \($0.rule) requires \($0.count) approval\($0.count == 1 ? "" : "s") from \($0.group)" },
                        more: "more approvals asked")
        default: parts = [describe(d.reason)]
        }
        // A `within:` clause may name thousands of limits: the first few, and how many more
        // (review helper-92 M4), so an answer's size does not grow with the policy's.
        parts += few(d.windows.filter { !$0.holds }.map(\.text), more: "more limits exceeded")
        return parts.map { $0.count > maximumReasonPartCharacters ? String($0.prefix(maximumReasonPartCharacters)) + "…" : $0 }
            .joined(separator: "; ")
    }

    /// The median `median` in `snapshot` as a decision reads it: refused by the policy's price
    /// rules (a flagged move), or its USD price.
    private static func setPrice(_ median: PriceMedian, of asset: String, in snapshot: inout StateSnapshot, policy: CompiledPolicy) {
        snapshot.medians[asset] = median
        if let refusal = policy.document.prices.refusal(of: median) {
            snapshot.prices[asset] = nil
            snapshot.priceProblems[asset] = refusal.reason
        } else {
            snapshot.prices[asset] = median.usd
            snapshot.priceProblems[asset] = nil
        }
    }

    /// The snapshot a window charge reads: the time and the request's USD price, if any.
    private static func priced(_ request: PolicyRequest, usd: FixedDecimal?, at time: UInt64) -> StateSnapshot {
        var snapshot = StateSnapshot(time: Int64(time / 1000))
        if let usd { snapshot.prices[request.asset] = usd }
        return snapshot
    }
}
