import CustosPolicy

/// Where a request that the policy held for approvals stands: waiting for them until
/// `expiresAt` (block time), approved once the counted approvals fill every requirement the
/// decision named, rejected by an eligible person, or expired. Each person decides once; an
/// approval is recorded with who gave it and when, and counts only while its giver is still an
/// active member of a group the decision named (`ReplicatedState.countedApprovers(of:)`).
public struct RequestApprovals: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, CaseIterable, Codable {
        /// Waiting for approvals.
        case pending
        /// The counted approvals filled every pending requirement: the request may be signed.
        case approved
        /// An eligible person rejected it; it is never signed.
        case rejected
        /// Not fully approved by `expiresAt`; it is never signed.
        case expired
    }

    /// One person's approval or rejection, at the block time and height that committed it.
    public struct Decision: Sendable, Hashable, Codable {
        public let user: String
        public let at: UInt64
        public let height: UInt64
        /// The review the approval carries (milliseconds from the request shown to the
        /// approval, bound into the assertion); nil when it carries none.
        public internal(set) var reviewMillis: UInt64? = nil
        /// Given over the policy's per-person hourly bound where the policy asks for a second
        /// person (`approvals.beyond: second_person`): recorded, and counted only once another
        /// eligible person approved within their bound (`ReplicatedState.countedApprovers(of:)`).
        public internal(set) var beyondLimit = false
        /// Why every node flagged it for review (`approvals.hasty`), nil when it did not.
        public internal(set) var flagged: ApprovalPolicy.HastyReason? = nil
    }

    public internal(set) var status: Status
    /// Block time (milliseconds since the Unix epoch) by which the approvals must be complete.
    public let expiresAt: UInt64
    /// Verified approvals in log order, each person once.
    public internal(set) var approvals: [Decision]
    /// The rejection that ended it.
    public internal(set) var rejection: Decision?
    /// Block time at which it was approved, rejected or expired.
    public internal(set) var decidedAt: UInt64?

    public var isPending: Bool { status == .pending }
}
