extension PolicyDecision {
    /// A denial before any rule is read, for a reason the policy's caller knows and the document
    /// cannot express (an initiator the registries removed): no rule applied.
    package static func denied(_ reason: Reason) -> PolicyDecision {
        PolicyDecision(outcome: .deny, reason: reason, applied: [], skippedAllows: [], pending: [], countedApprovers: [])
    }
}
