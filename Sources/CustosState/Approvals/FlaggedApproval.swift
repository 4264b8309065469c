import CustosPolicy

/// A request approval every node flagged for review under the policy's `approvals.hasty`: the
/// request was large (or its USD notional unknown) and the approval's measured review was
/// shorter than the threshold, or not measured at all.
public struct FlaggedApproval: Sendable, Hashable, Codable {
    public let requestId: String
    public let user: String
    /// Block time (milliseconds) and height that committed the approval.
    public let at: UInt64
    public let height: UInt64
    public let reason: ApprovalPolicy.HastyReason
    /// The review the approval carries (milliseconds), nil when it carries none.
    public let reviewMillis: UInt64?
    /// The request's USD notional at the approval's block time; nil when not known.
    public let usd: FixedDecimal?
}
