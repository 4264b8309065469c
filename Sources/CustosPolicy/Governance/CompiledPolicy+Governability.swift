import Synchronization

/// Who may decide a governance operation, whether it can still be approved, and whether the
/// governance rules could lock the organisation out. Pure functions of the policy, the request
/// and the snapshot, like `evaluate`.
extension CompiledPolicy {
    /// The approver groups whose approvals count toward `request` (a governance operation): the
    /// groups of every require rule that applies to it at some time of the week that starts at
    /// `state.time`. Sorted by name.
    public func approverGroups(for request: PolicyRequest, in state: StateSnapshot) -> [String] {
        approverGroupIndices(for: request, in: state).map { groupNames.names[$0] }.sorted()
    }

    /// The people who may approve `request`, and so the only people who may reject it: the
    /// members of `approverGroups(for:in:)`, never the initiator and never a bot. In policy order.
    public func eligibleApprovers(for request: PolicyRequest, in state: StateSnapshot) -> [String] {
        let instants = GovernanceWeek.instants(from: state.time, boundaries: GovernanceWeek.boundaries(of: self, for: request.operation?.action))
        return eligibleIndices(for: request, instants: instants, state: state).map { users.names[$0] }
    }

    /// Whether `request` would be approved at some time of the week that starts at `state.time`
    /// if `people` approved it as well as those who already did. An operation for which this is
    /// false can never be approved by them.
    public func couldBeApproved(_ request: PolicyRequest, by people: [String], in state: StateSnapshot) -> Bool {
        var candidate = request
        candidate.approvals = request.approvals + people
        var snapshot = state
        for t in GovernanceWeek.instants(from: state.time, boundaries: GovernanceWeek.boundaries(of: self, for: request.operation?.action)) {
            snapshot.time = t
            if evaluate(candidate, in: snapshot).outcome == .allow { return true }
        }
        return false
    }

    /// The most answers `lockoutAnswers` keeps.
    static let maximumLockoutAnswers = 64

    /// How `people` (those able to act: propose, approve, reject) could be locked out of
    /// changing the policy or lifting a freeze, or nothing. At most one lockout per operation,
    /// the first found in the week that starts on Monday 00:00 UTC.
    ///
    /// - Lifting a freeze must be possible at every time of the week: at the start of each
    ///   interval (`GovernanceWeek`), someone can propose it and the others approve it, and no
    ///   one person who may reject it can, by rejecting, leave it unreachable then.
    /// - A policy change may wait for the hours its rules allow: some time of the week, someone
    ///   can propose it and the others approve it, and for each person who may reject it, some
    ///   time of the week someone else can get it approved without them.
    ///
    /// An operation ends as rejected only when its requirement can no longer be met, so a
    /// person's rejection blocks it exactly when approval without them is impossible.
    ///
    /// Every compile with the registries asks this twice for the same people (the checker, then
    /// `ReplicatedState.checkGovernable`), on every node, for every governance entry: the answer
    /// is kept per set of people (`lockoutAnswers`).
    public func governanceLockouts(people: [String]) -> [GovernanceLockout] {
        let persons = Array(Set(people.map { users.lookup($0) }.filter { $0 >= 0 && principals[$0].kind == .person })).sorted()
        if let known = lockoutAnswers.withLock({ $0[persons] }) { return known }
        let found = lockouts(of: persons)
        lockoutAnswers.withLock { answers in
            // Bounded: a handful of sets of people are asked of one policy in practice; past the
            // bound they are all dropped and worked out again as asked.
            if answers.count >= Self.maximumLockoutAnswers { answers.removeAll(keepingCapacity: true) }
            answers[persons] = found
        }
        return found
    }

    private func lockouts(of persons: [Int]) -> [GovernanceLockout] {
        var found: [GovernanceLockout] = []
        let checks: [(action: GovernanceOperation.Action, atEveryTime: Bool)] = [(.changePolicy, false), (.unfreeze, true)]
        for (action, atEveryTime) in checks {
            let week = GovernanceWeek.instants(from: GovernanceWeek.referenceMonday, boundaries: GovernanceWeek.boundaries(of: self, for: action))
            func request(_ proposer: Int, without vetoer: Int?) -> PolicyRequest {
                PolicyRequest(
                    id: "lockout-check", kind: .governance, initiator: users.names[proposer],
                    operation: GovernanceOperation(action, target: "next"),
                    approvals: persons.filter { $0 != proposer && $0 != vetoer }.map { users.names[$0] })
            }
            // Whether someone can propose it and the others approve it; the proposer who could
            // last time is asked first (the answer does not depend on the order asked).
            var likely: Int?
            func approvable(at t: Int64, without vetoer: Int?) -> Bool {
                func allows(_ p: Int) -> Bool {
                    p != vetoer && evaluate(request(p, without: vetoer), in: StateSnapshot(time: t)).outcome == .allow
                }
                if let q = likely, allows(q) { return true }
                guard let p = persons.first(where: { $0 != likely && allows($0) }) else { return false }
                likely = p
                return true
            }
            var vetoers = BitSet(capacity: users.count)
            for p in persons {
                for r in eligibleIndices(for: request(p, without: nil), instants: week, state: StateSnapshot(time: 0)) {
                    vetoers.insert(r)
                }
            }
            let candidates = [nil] + vetoers.members.filter { persons.contains($0) }.map { Optional($0) }
            if atEveryTime {
                search: for t in week {
                    for r in candidates where !approvable(at: t, without: r) {
                        found.append(GovernanceLockout(
                            action: action, weekSecond: GovernanceWeek.weekSecond(of: t), vetoer: r.map { users.names[$0] }))
                        break search
                    }
                }
            } else if let r = candidates.first(where: { r in !week.contains { approvable(at: $0, without: r) } }) {
                found.append(GovernanceLockout(action: action, weekSecond: nil, vetoer: r.map { users.names[$0] }))
            }
        }
        return found
    }

    private func approverGroupIndices(for request: PolicyRequest, in state: StateSnapshot) -> [Int] {
        let instants = GovernanceWeek.instants(from: state.time, boundaries: GovernanceWeek.boundaries(of: self, for: request.operation?.action))
        return approverGroupIndices(for: request, instants: instants, state: state).members
    }

    private func approverGroupIndices(for request: PolicyRequest, instants: [Int64], state: StateSnapshot) -> BitSet {
        var groups = BitSet(capacity: groupNames.count)
        var snapshot = state
        for t in instants {
            snapshot.time = t
            let context = EvaluationContext(policy: self, request: request, state: snapshot)
            var windows = ProjectionCache(count: limits.count)
            for index in governanceRules {
                guard case .require(let requirement) = rules[index].effect else { continue }
                // A require rule that cannot be evaluated applies (it fails closed), as in `evaluate`.
                if case .noMatch = match(rules[index], context, &windows) { continue }
                for alternative in requirement.alternatives {
                    for term in alternative { groups.insert(term.group) }
                }
            }
        }
        return groups
    }

    private func eligibleIndices(for request: PolicyRequest, instants: [Int64], state: StateSnapshot) -> [Int] {
        let initiator = users.lookup(request.initiator)
        var people = BitSet(capacity: users.count)
        for g in approverGroupIndices(for: request, instants: instants, state: state).members {
            for u in groupMembers[g].members where u != initiator && principals[u].kind == .person { people.insert(u) }
        }
        return people.members
    }
}
