extension CompiledPolicy {
    /// The approvals a decision named as pending that `approvers` do not fill, in the decision's
    /// order, with the counts still missing; empty when they fill every one. Groups are read
    /// from this policy (its people as the registry has them now): each rule's terms must be
    /// filled by distinct people, as in `evaluate`, while one person may count for several
    /// rules. Bots, unknown people, repeats and `initiator` never count; a group this policy no
    /// longer has stays unfilled. Group members count only where their roles act in
    /// `environment`, the request's vault's (`members(ofGroup:in:)`).
    public func unmetApprovals(
        _ pending: [PolicyDecision.PendingApproval], approvers: [String], initiator: String, in environment: DeploymentEnvironment?
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
        for p in pending where !rulesInOrder.contains(p.rule) { rulesInOrder.append(p.rule) }
        var unmet: [PolicyDecision.PendingApproval] = []
        for rule in rulesInOrder {
            let terms = pending.filter { $0.rule == rule }
            let known = terms.filter { groupNames.lookup($0.group) >= 0 }
            unmet += terms.filter { groupNames.lookup($0.group) < 0 }
            guard !known.isEmpty else { continue }
            let requirement = ApprovalRequirement(
                alternatives: [known.map { ApprovalRequirement.Term(group: groupNames.lookup($0.group), count: $0.count) }])
            let (_, missing) = requirement.missing(approvers: people, members: groupMembers(in: environment))
            unmet += missing.map { PolicyDecision.PendingApproval(rule: rule, group: groupNames.names[$0.group], count: $0.count) }
        }
        return unmet
    }
}
