import CustosPolicy
import CustosState

/// The answer of `POST /v1/policies/dry-run`: what every node would decide for a request body
/// that was not submitted, had it been submitted in the next block. The decision fields read as
/// those of a `RequestView`, so a dry run and the committed decision of the same request
/// submitted right after compare field by field. It is the gateway's answer, computed at
/// `height` and verified by no node; it evaluates submission against that head only, not the
/// approval-time checks (approval-fatigue limits, hasty-approval flags).
public struct RequestDryRunView: Codable, Sendable, Equatable {
    /// The height of the committed state the request was decided against.
    public var height: UInt64
    /// The block time it was decided at (the gateway's clock, as a next block would carry),
    /// milliseconds since the Unix epoch.
    public var blockTime: UInt64
    public var initiator: String
    /// `person` or `bot`.
    public var initiatorKind: String
    public var policyVersion: Int
    /// `allow`, `require_approval` or `deny`.
    public var outcome: String
    public var rules: [String]
    public var pending: [RequestView.PendingApproval]
    public var explanation: [String]

    public init(_ run: RequestDryRun, height: UInt64) {
        self.height = height
        blockTime = run.blockTime
        initiator = run.request.initiator
        initiatorKind = run.initiatorKind.rawValue
        policyVersion = run.policyVersion
        outcome = run.decision.outcome.rawValue
        rules = run.decision.applied.map(\.name)
        pending = run.decision.pending.map { RequestView.PendingApproval(rule: $0.rule, group: $0.group, count: $0.count) }
        explanation = RequestView.explain(run.decision)
    }
}
