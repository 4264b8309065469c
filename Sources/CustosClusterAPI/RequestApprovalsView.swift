import CustosPolicy
import CustosState

/// Where a request held for approvals stands, as the committed state says: its status, when it
/// expires, who approved (and whether each approval still counts) and who rejected, when, and
/// what is still needed. A view only.
public struct RequestApprovalsView: Codable, Sendable, Equatable {
    /// One person's approval or rejection.
    public struct Decision: Codable, Sendable, Equatable {
        public var user: String
        /// Block time (milliseconds since the Unix epoch) and height that committed it.
        public var at: UInt64
        public var height: UInt64
        /// For an approval: whether it counts now (its giver is still an active member of a
        /// group the decision named, and it was not given beyond their hourly bound).
        public var counted: Bool
        /// The review the approval carries (milliseconds from the request shown to the
        /// approval); absent when none was measured.
        public var reviewMillis: UInt64?
        /// Given beyond the person's hourly bound where the policy asks for a second person:
        /// recorded, never counted. Absent when not.
        public var beyondLimit: Bool?
        /// `hasty` or `unmeasured` when every node flagged it for review; absent when not.
        public var flagged: String?

        init(_ d: RequestApprovals.Decision, counted: Bool) {
            user = d.user
            at = d.at
            height = d.height
            self.counted = counted
            reviewMillis = d.reviewMillis
            beyondLimit = d.beyondLimit ? true : nil
            flagged = d.flagged?.rawValue
        }
    }

    /// `pending`, `approved`, `rejected` or `expired`.
    public var status: String
    public var expiresAt: UInt64
    public var decidedAt: UInt64?
    public var approvals: [Decision]
    public var rejection: Decision?
    /// The people who may approve or reject it now.
    public var eligible: [String]
    /// The pending approvals the counted approvals do not fill yet.
    public var unmet: [RequestView.PendingApproval]
    /// While pending: what is unusual about it, one line each (`RequestReview.flags`).
    public var unusual: [String]?
    /// While pending: why it is approved only on its own, never in a batch approval
    /// (`RequestReview.alone`); empty when it may be approved with identical requests.
    public var alone: [String]?

    /// `state` (the committed state the request is in) says who may decide it and which
    /// approvals count now; without it none is shown as counted or eligible.
    public init(_ r: RecordedRequest, _ a: RequestApprovals, in state: ReplicatedState?) {
        let counted = Set(state?.countedApprovers(of: r) ?? [])
        status = a.status.rawValue
        expiresAt = a.expiresAt
        decidedAt = a.decidedAt
        approvals = a.approvals.map { Decision($0, counted: !$0.beyondLimit && counted.contains($0.user)) }
        rejection = a.rejection.map { Decision($0, counted: false) }
        eligible = state?.eligibleApprovers(of: r).sorted() ?? []
        let unmet = a.status == .approved ? [] : state?.unmetApprovals(of: r) ?? []
        self.unmet = unmet.map { RequestView.PendingApproval(rule: $0.rule, group: $0.group, count: $0.count) }
        if a.isPending, let review = state?.review(of: r) {
            unusual = review.unusual
            alone = review.alone
        }
    }
}
