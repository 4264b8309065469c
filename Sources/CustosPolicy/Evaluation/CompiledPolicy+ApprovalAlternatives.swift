extension CompiledPolicy {
    /// Every way the approvals `decision` asks can be given: for each rule that held it for
    /// approvals, each alternative of its requirement as its (group, count) terms — not only the
    /// alternative closest to being met, which is all `PolicyDecision.pending` names. Two decisions
    /// ask the same approvals only when these agree (review helper-92 M1: an `any:` branch added
    /// to a rule is a change, though the closest alternative stays the same). Empty for a decision
    /// that asks none.
    public func approvalAlternatives(of decision: PolicyDecision) -> [[PolicyDecision.PendingApproval]] {
        guard decision.outcome == .needsApprovals else { return [] }
        let held = Set(decision.pending.map(\.rule))
        return rules.flatMap { rule -> [[PolicyDecision.PendingApproval]] in
            guard held.contains(rule.name), case .require(let requirement) = rule.effect else { return [] }
            return requirement.alternatives.map { terms in
                terms.map { PolicyDecision.PendingApproval(rule: rule.name, group: groupNames.names[$0.group], count: $0.count) }
            }
        }
    }
}
