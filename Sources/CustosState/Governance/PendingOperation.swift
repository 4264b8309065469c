/// An operation and where it is in its lifecycle: proposed (waiting for approvals), then
/// executed (approved and applied), rejected (withdrawn by its proposer, or rejected by enough
/// eligible people that its requirement can no longer be met), expired, or failed (approved but no longer
/// applicable to the state). `approved` is the step between: the transition executes an
/// operation in the same entry that completes its approvals, so a committed state shows
/// `executed` or `failed` with the `approvals` that decided it. Times are block times in
/// milliseconds since the Unix epoch.
public struct PendingOperation: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case proposed, approved, rejected, expired, executed, failed
    }

    public let proposal: GovernanceProposal
    public let digest: [UInt8]
    public internal(set) var status: Status
    public let proposedAt: UInt64
    public let expiresAt: UInt64
    /// People whose verified approvals were recorded, in log order, each once.
    public internal(set) var approvals: [String]
    /// People whose verified rejections were recorded, in log order, each once. A rejection by
    /// someone eligible to approve leaves the operation open while its requirement can still be
    /// met by the others.
    public internal(set) var rejections: [String]
    /// The person whose rejection ended it: the proposer withdrawing it, or the rejection after
    /// which its requirement could no longer be met.
    public internal(set) var rejectedBy: String?
    /// Block time of the decision (executed, rejected, expired, failed).
    public internal(set) var decidedAt: UInt64?
    /// Why an approved operation could not be applied.
    public internal(set) var failure: String?
    /// Block time (ms) from which an approved operation whose action the policy time-locks
    /// executes (it stays `approved` until then, and a security officer may cancel it); nil
    /// for an operation that executed at once or was never approved.
    public internal(set) var executesAt: UInt64? = nil

    public var id: String { proposal.id }
    public var isOpen: Bool { status == .proposed }
}
