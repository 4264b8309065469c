extension PolicyDecision {
    /// A require rule the approvals at evaluation did not meet, with every way it may be met as
    /// the rule states it: alternatives (`any:`), each a list of groups and counts all of which
    /// are needed (`all:`). A member of any alternative's groups may approve or reject the
    /// request (DESIGN: groups combined with AND/OR); the rule is met once one alternative is.
    public struct Requirement: Sendable, Hashable, Codable {
        public let rule: String
        public let alternatives: [[PendingApproval]]
    }

    /// Every group an unmet require rule names in any of its alternatives: whose members, other
    /// than the initiator, may approve or reject the request.
    public var askedGroups: Set<String> {
        Set(pending.map(\.group)).union(requirements.flatMap { $0.alternatives.flatMap { $0.map(\.group) } })
    }
}
