import CustosPolicy
import CustosState

/// A request approval every node flagged for review under the policy's `approvals.hasty`, as
/// the committed state holds it. A view only.
public struct FlaggedApprovalView: Codable, Sendable, Equatable {
    public var requestId: String
    public var user: String
    /// Block time (milliseconds since the Unix epoch) and height that committed the approval.
    public var at: UInt64
    public var height: UInt64
    /// `hasty` (reviewed for less than the policy's threshold) or `unmeasured` (no review
    /// measured, e.g. `custos request approve --yes`).
    public var reason: String
    /// The review the approval carries, in milliseconds; absent when unmeasured.
    public var reviewMillis: UInt64?
    /// The request's USD notional at the approval's block time; absent when not known (such a
    /// request counts as large).
    public var usd: String?

    public init(_ f: FlaggedApproval) {
        requestId = f.requestId
        user = f.user
        at = f.at
        height = f.height
        reason = f.reason.rawValue
        reviewMillis = f.reviewMillis
        usd = f.usd?.description
    }

    /// The flagged approvals `state` keeps, oldest first.
    public static func all(in state: ReplicatedState) -> [FlaggedApprovalView] { state.approvalBook.flagged.map(FlaggedApprovalView.init) }
}
