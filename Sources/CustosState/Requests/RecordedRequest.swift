import CustosPolicy

/// A request (a bot's signed request, or a person's with a WebAuthn assertion) that verified and
/// was decided by the policy in force at its block's time: the input of the signing layer. The decision is final for `allow` and `deny`; for
/// `needsApprovals`, `decision.pending` names the groups and counts required and `approvals`
/// follows the request until it is approved, rejected or expired.
public struct RecordedRequest: Sendable, Hashable, Codable {
    /// Lowercase hex SHA-256 of the request's signing input (RFC 8785 bytes of body, key id,
    /// nonce and timestamp): unique, because a nonce is never accepted twice within the window
    /// and a timestamp outside it is refused.
    public let id: String
    /// The bot or person that submitted it.
    public let initiator: String
    public let initiatorKind: PolicyDocument.Principal.Kind
    /// Block time at which it was decided (milliseconds since the Unix epoch).
    public let blockTime: UInt64
    /// Height of the block that committed it (where `custos vault offline-bundle` finds its entry).
    public internal(set) var height: UInt64 = 0
    /// The hash of that block (empty where entries are applied without their blocks).
    public internal(set) var blockHash: [UInt8] = []
    /// The initiator's own timestamp and nonce, as signed.
    public let timestamp: Int64
    public let nonce: String
    /// The request body in RFC 8785 canonical form.
    public let body: [UInt8]
    /// The body as the policy engine read it.
    public let request: PolicyRequest
    /// Version of the policy that decided it.
    public let policyVersion: Int
    public let decision: PolicyDecision
    /// For a request the policy held for approvals (`needsApprovals`): the approvals, rejection
    /// and expiry that decide it. Nil for every other outcome.
    public internal(set) var approvals: RequestApprovals? = nil

    public var outcome: PolicyDecision.Outcome { decision.outcome }

    /// Whether the request may be signed: the policy allowed it, or every approval it required
    /// was given in the log. The freeze flag and the signing session are checked apart.
    public var isAllowed: Bool { decision.outcome == .allow || approvals?.status == .approved }
}
