/// The answer to one request: allow, wait for approvals, or deny, with the rules that applied.
/// A policy never throws to say "no"; it returns a decision with its reasons. Render the
/// explanation with `CompiledPolicy.explain(_:in:)`.
public struct PolicyDecision: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        /// Sign it: an allow rule matched, or every required approval is present.
        case allow
        /// Not yet: approvals are still needed (see `pending`).
        case needsApprovals = "needs-approvals"
        case deny
    }

    /// Why the outcome is what it is.
    public enum Reason: Sendable, Hashable, Codable {
        case frozen
        case unknownInitiator
        /// The initiator has not completed the onboarding steps the policy enforces; no rule
        /// was read.
        case notOnboarded(OnboardingGap)
        /// The initiator is not of the vault's environment; no rule was read.
        case outsideEnvironment(EnvironmentMismatch)
        /// The request itself is malformed (a negative amount or fee).
        case invalidRequest(String)
        /// The destination is an address-book entry still cooling off, or cancelled during its
        /// cooling-off (`StateSnapshot.destinationHolds`); no rule was read.
        case destinationHeld(entry: String, DestinationHold)
        case deniedByRule(String)
        case approvalsPending
        case approved
        case allowedByRule(String)
        case noRuleMatched
    }

    /// A rule that applied to the request.
    public struct AppliedRule: Sendable, Hashable, Codable {
        public let name: String
        public let effect: Effect
        /// Set when a clause could not be evaluated and the rule applied anyway (fail closed).
        public let failedClosed: String?
    }

    /// An allow rule skipped because one of its clauses could not be evaluated.
    public struct SkippedAllow: Sendable, Hashable, Codable {
        public let name: String
        public let problem: String
    }

    public enum Effect: String, Sendable, Hashable, Codable {
        case allow, deny, require
    }

    /// Approvals a require rule still needs: `count` more people from `group`. In `pending`, the
    /// alternative of the rule closest to being met; in a `Requirement`, one term of one way.
    public struct PendingApproval: Sendable, Hashable, Codable {
        public let rule: String
        public let group: String
        public let count: Int
    }

    public let outcome: Outcome
    public let reason: Reason
    public let applied: [AppliedRule]
    public let skippedAllows: [SkippedAllow]
    public let pending: [PendingApproval]
    /// Every require rule not met yet, with all the ways it may be met (`PolicyDecision.Requirement`);
    /// `pending` shows the closest of them.
    public internal(set) var requirements: [Requirement] = []
    /// People whose approvals counted (distinct, eligible, not the initiator).
    public let countedApprovers: [String]
    /// For a request that needs approvals: how long it may wait for them, in seconds of block
    /// time — the shortest `expires` of the require rules that applied. Nil otherwise.
    public internal(set) var approvalExpirySeconds: Int? = nil
    /// The rolling-window limits the decision read, in the policy's order, with this request
    /// counted in them (only the limits some rule it tested names).
    public internal(set) var windows: [WindowFigure] = []
    /// The USD price of the request's asset the decision used, when the state had a median.
    public internal(set) var price: PriceMedian? = nil
    /// What every node noticed about the destination for people to see whatever the outcome:
    /// a look-alike of an address-book entry, a destination planted by a dust transfer.
    public internal(set) var warnings: [DestinationWarning] = []

    /// How long a request may wait for approvals when its require rules name no `expires`: 24 h.
    public static let defaultApprovalExpirySeconds = 24 * 3600
}
