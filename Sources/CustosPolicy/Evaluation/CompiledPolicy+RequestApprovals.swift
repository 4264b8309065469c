extension CompiledPolicy {
    /// What `decision` still needs once `approvers` have approved: for each require rule it left
    /// unmet, nothing when some alternative of the rule (`PolicyDecision.Requirement`) is filled,
    /// else the missing terms of the alternative closest to being filled, in the decision's
    /// order; empty when every rule is met. Groups are read from this policy (its people as the
    /// registry has them now): an alternative's terms must be filled by distinct people, as in
    /// `evaluate`, while one person may count for several rules. Bots, unknown people, repeats
    /// and `initiator` never count; an alternative naming a group this policy no longer has
    /// cannot be filled, and a rule with no other way stays as `pending` had it. Group members
    /// count only where their roles act in `environment`, the request's vault's (`members(ofGroup:in:)`).
    public func unmetApprovals(
        _ decision: PolicyDecision, approvers: [String], initiator: String, in environment: DeploymentEnvironment?
    ) -> [PolicyDecision.PendingApproval] {
        let initiatorIndex = users.lookup(initiator)
        var people: [Int] = []
        var seen = BitSet(capacity: users.count)
        for id in approvers {
            let u = users.lookup(id)
            guard u >= 0, u != initiatorIndex, principals[u].kind == .person, !seen.contains(u) else { continue }
            seen.insert(u)
            people.append(u)
        }
        var rulesInOrder: [String] = []
        for p in decision.pending where !rulesInOrder.contains(p.rule) { rulesInOrder.append(p.rule) }
        var unmet: [PolicyDecision.PendingApproval] = []
        for rule in rulesInOrder {
            let closest = decision.pending.filter { $0.rule == rule }
            let ways = decision.requirements.first { $0.rule == rule }?.alternatives ?? [closest]
            let usable = ways.filter { $0.allSatisfy { groupNames.lookup($0.group) >= 0 } }
            guard !usable.isEmpty else {
                unmet += closest
                continue
            }
            let requirement = ApprovalRequirement(alternatives: usable.map { terms in
                terms.map { ApprovalRequirement.Term(group: groupNames.lookup($0.group), count: $0.count) }
            })
            let (_, missing) = requirement.missing(approvers: people, members: groupMembers(in: environment))
            unmet += missing.map { PolicyDecision.PendingApproval(rule: rule, group: groupNames.names[$0.group], count: $0.count) }
        }
        return unmet
    }
}
