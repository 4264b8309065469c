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
    /// its people and bots from the registries, governance still reachable. Throws why every
    /// node would refuse it.
    public func proposedPolicy(yaml: String) throws(GovernanceError) -> CompiledPolicy {
        try Self.compile(yaml: yaml, users: users, bots: bots).1
    }

    /// What `policy` would have decided differently for the recorded requests decided at or after
    /// block time `since` (milliseconds; at most `PolicyReplay.maximumPeriodMilliseconds` before
    /// the head, and never before the oldest request the requests room keeps).
    ///
    /// Every request the room keeps is taken in log order, against rolling windows kept under
    /// `policy` from an empty room: one decided before the period counts as it did (allowed
    /// when decided, or from its approval); one of the period is decided again — at its block
    /// time, with its asset at the price recorded with its decision — and counts only when the
    /// new policy allows it, or when the approvals it was actually given (their givers, not the
    /// initiator, as the new policy's groups read them) fill what the new policy asks, from the
    /// time its approval completed. A request the new policy denies, or holds for approvals it
    /// was not given, does not count toward later ones. A request denied because signing was
    /// frozen stays so. Returns the requests whose verdict (outcome and approvals asked) changes,
    /// and what the replay cannot know. Pure: no I/O, no clock, no dictionary order.
    public func replay(_ policy: CompiledPolicy, since: UInt64) -> PolicyReplay {
        let until = time
        var from = max(since, until - min(until, PolicyReplay.maximumPeriodMilliseconds))
        let history = requestBook.order.compactMap { requestBook.requests[$0] }
        var limitations: [String] = []
        if requestBook.order.count >= RequestBook.maximumRecordedRequests, let oldest = history.first, oldest.blockTime > from {
            from = oldest.blockTime
            limitations.append(
                "the state keeps the last \(RequestBook.maximumRecordedRequests) requests: the replay starts at the oldest kept, and windows miss what came before it")
        }
        // What earlier requests went to each destination before the kept history, as it stands now.
        let historyStart = Int64((history.first?.blockTime ?? until) / 1000)
        var book = WindowBook(policy: policy)
        var due: [DueCount] = []
        var changes: [PolicyReplay.Change] = []
        var changed = 0
        var replayed = 0
        var currentPrices = 0

        func flush(upTo t: UInt64) {
            while let next = due.first, next.time <= t {
                due.removeFirst()
                book.expire(at: next.time)
                let charge = policy.windowCharge(for: next.request, in: Self.priced(next.request, usd: next.usd, at: next.time))
                if let charge { book.count(next.id, request: next.request, charge: charge, at: next.time) }
            }
        }
        func schedule(_ count: DueCount) {
            let index = due.firstIndex { ($0.time, $0.order) > (count.time, count.order) } ?? due.endIndex
            due.insert(count, at: index)
        }

        for (order, recorded) in history.enumerated() {
            flush(upTo: recorded.blockTime)
            book.expire(at: recorded.blockTime)
            let recordedUSD = recorded.decision.price.flatMap { policy.document.prices.refusal(of: $0) == nil ? $0.usd : nil }
            guard recorded.blockTime >= from else {
                // Before the period: it counts as it did.
                if recorded.outcome == .allow {
                    schedule(DueCount(time: recorded.blockTime, order: order, id: recorded.id, request: recorded.request, usd: recordedUSD))
                } else if let approvals = recorded.approvals, approvals.status == .approved, let at = approvals.decidedAt {
                    schedule(DueCount(time: at, order: order, id: recorded.id, request: recorded.request, usd: recordedUSD))
                }
                flush(upTo: recorded.blockTime)
                continue
            }
            replayed += 1
            let old = PolicyReplay.Verdict(recorded.decision)
            if recorded.decision.reason == .frozen { continue }
            var snapshot = requestAuthority(policy: policy, version: policyVersion, windows: book, frozen: false)
                .snapshot(for: recorded.request, blockTime: recorded.blockTime)
            if let key = recorded.request.destinationKey, book.destinations[key] == nil,
               let prior = windows.destinations[key], prior.firstSeen < historyStart {
                snapshot.destinations[key] = prior
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
                switch prices.median(of: asset, policy: policy.document.prices, at: Int64(until / 1000)) {
                case .success(let median): Self.setPrice(median, of: asset, in: &snapshot, policy: policy)
                case .failure(let problem): snapshot.priceProblems[asset] = problem.reason
                }
            }
            let usd = snapshot.prices[asset]
            let decision = policy.evaluate(recorded.request, in: snapshot)
            var fill: Bool? = nil
            switch decision.outcome {
            case .allow:
                schedule(DueCount(time: recorded.blockTime, order: order, id: recorded.id, request: recorded.request, usd: usd))
            case .needsApprovals:
                let given = (recorded.approvals?.approvals ?? []).filter { !$0.beyondLimit && $0.user != recorded.initiator }
                var approved = recorded.request
                approved.approvals = given.map(\.user)
                let fills = recorded.approvals?.status != .rejected && !given.isEmpty
                    && policy.evaluate(approved, in: snapshot).outcome == .allow
                fill = fills
                if fills, let last = given.last {
                    let at = recorded.approvals?.status == .approved ? (recorded.approvals?.decidedAt ?? last.at) : last.at
                    schedule(DueCount(time: max(at, recorded.blockTime), order: order, id: recorded.id, request: recorded.request, usd: usd))
                }
            case .deny:
                break
            }
            flush(upTo: recorded.blockTime)
            let new = PolicyReplay.Verdict(decision)
            guard new != old else { continue }
            changed += 1
            guard changes.count < PolicyReplay.maximumListedChanges else { continue }
            changes.append(PolicyReplay.Change(
                requestId: recorded.id, blockTime: recorded.blockTime, initiator: recorded.initiator,
                summary: replaySummary(recorded.request), old: old, new: new, reason: Self.replayReason(decision),
                approvalsGivenFill: fill, recordedPrice: usedRecordedPrice))
        }
        if currentPrices > 0 {
            limitations.append(
                "\(currentPrices) request\(currentPrices == 1 ? "" : "s") had no price recorded with \(currentPrices == 1 ? "its" : "their") decision: the replay used the median at the head, not the price at the time")
        }
        limitations.append(
            "an approval given counts if its giver is in a group the new policy asks for; approval-time checks (hourly bounds, hasty flags) are not replayed")
        limitations.append(
            "the registry, address-book cooling-off and watchers' reports are read as they are at the head; a request that failed before broadcast counts as signed")
        return PolicyReplay(
            since: from, until: until, policyVersion: policyVersion, newPolicyVersion: policy.document.version,
            replayed: replayed, changes: changes, changedCount: changed, limitations: limitations)
    }

    /// The request in a few words, with the destination's address-book entry in the policy in
    /// force: `2,000,000 USDC to kraken`, `approve on usdc-token`, `a message with sol-treasury`.
    private func replaySummary(_ r: PolicyRequest) -> String {
        let destination = policy.addressBookEntry(of: r) ?? r.destination
        switch r.kind {
        case .transfer: return "\(r.amount.grouped) \(r.asset) to \(destination)"
        case .contractCall: return "\(r.call?.function ?? "a call") on \(destination)"
        case .message: return "a message with \(r.vault)"
        case .governance: return "governance \(r.id)"
        }
    }

    /// A decision's reason in one line: the rule that decided it, the approvals it asks, and the
    /// limits it exceeded.
    static func replayReason(_ d: PolicyDecision) -> String {
        var parts: [String]
        switch d.reason {
        case .deniedByRule(let rule): parts = ["rule \(rule) denies it"]
        case .allowedByRule(let rule): parts = ["rule \(rule) allows it"]
        case .noRuleMatched: parts = ["no allow rule matches it"]
        case .approvalsPending:
            parts = d.pending.map { "rule \($0.rule) requires \($0.count) approval\($0.count == 1 ? "" : "s") from \($0.group)" }
        default: parts = [describe(d.reason)]
        }
        parts += d.windows.filter { !$0.holds }.map(\.text)
        return parts.joined(separator: "; ")
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
