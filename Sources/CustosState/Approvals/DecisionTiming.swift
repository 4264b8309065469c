import CustosCore

/// What a timed decision — a person's approval or rejection of a request
/// (`RequestDecisionEntry`) or of a governance operation (`GovernanceEntry`) — says about when it
/// was made. It is bound into the decision's WebAuthn challenge, so that the gateway can neither
/// alter it nor hold the decision back and present it much later: every node refuses a decision
/// signed more than `maximumAgeMillis` before the block time that commits it or more than
/// `maximumLeadMillis` after it (`ReplicatedState.checkTiming`).
public struct DecisionTiming: Sendable, Hashable {
    /// The signer's clock when the person signed (milliseconds since the Unix epoch).
    public let signedAt: UInt64
    /// Milliseconds from the item shown to the person to their decision, as the client that
    /// showed it measured; nil when nothing was shown (`--yes`). Never more than the time since
    /// the item was recorded (`ReplicatedState.checkTiming`).
    public let reviewMillis: UInt64?

    public init(signedAt: UInt64, reviewMillis: UInt64?) {
        self.signedAt = signedAt
        self.reviewMillis = reviewMillis
    }

    /// How far a timed decision's `signedAt` may lie before the block time that commits it
    /// (10 minutes) and after it (5 minutes, for the signer's clock running ahead).
    public static let maximumAgeMillis: UInt64 = 600_000
    public static let maximumLeadMillis: UInt64 = 300_000

    /// Its canonical encoding, inside a payload or a challenge: the signing time (64-bit),
    /// whether a review was measured (one byte) and the review (64-bit, 0 when not measured).
    func append(to w: inout CanonicalWriter) {
        w.append(signedAt)
        w.append(reviewMillis != nil)
        w.append(reviewMillis ?? 0)
    }

    /// Reads what `append(to:)` wrote, strictly: an unmeasured review carries no milliseconds.
    static func read(from r: inout GovernanceReader) throws(GovernanceError) -> DecisionTiming {
        let signedAt = try r.uint64("signed at")
        let reviewed = try r.bool("review measured")
        let review = try r.uint64("review milliseconds")
        guard reviewed || review == 0 else { throw GovernanceError(.malformed, "an unmeasured review carries no milliseconds") }
        return DecisionTiming(signedAt: signedAt, reviewMillis: reviewed ? review : nil)
    }
}
