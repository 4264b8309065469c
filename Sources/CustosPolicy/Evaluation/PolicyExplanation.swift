/// A decision with its explanation in plain language, for the approval UI and the audit log:
/// every rule that applied and the figures it compared, the approvals still needed, and the
/// allow rules skipped because they could not be evaluated.
public struct PolicyExplanation: Sendable, Hashable {
    public let decision: PolicyDecision
    /// One sentence per line, most important first.
    public let lines: [String]

    public var text: String { lines.joined(separator: "\n") }
}
