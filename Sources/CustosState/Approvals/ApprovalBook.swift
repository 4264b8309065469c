import CustosCore
import CustosPolicy

/// The approvals room of the replicated state: what the policy's approval-fatigue limits read.
/// For each person, the block times of the approvals they gave in the last hour (request and
/// governance approvals, pruned by block time), and the request approvals flagged as hasty,
/// the most recent `maximumFlagged`. It changes only when a node applies an accepted approval,
/// identically on every node; it enters the state digest by its journal (every write in order),
/// pruning following from the block time.
public struct ApprovalBook: Sendable {
    /// Block times (milliseconds) of each person's approvals, oldest first. A person's times
    /// are kept an hour plus `RequestDecisionEntry.maximumAgeMillis` (an approval may be signed
    /// that long before its block, and is judged from its signing), pruned when they approve again.
    private var given: [String: [UInt64]] = [:]
    /// Flagged approvals, oldest first.
    public private(set) var flagged: [FlaggedApproval] = []
    private(set) var journal = WriteJournal(room: "approvals")

    /// The flagged approvals kept: the oldest are dropped beyond it.
    public static let maximumFlagged = 10_000

    init() {}

    /// The block times of the approvals `user` gave in the rolling hour before `time`, oldest
    /// first; with `signedAt` before `time`, from the hour before `signedAt` on: an approval
    /// signed earlier and committed later is judged by what its signer had given when they
    /// signed it and since.
    public func approvals(by user: String, at time: UInt64, signedAt: UInt64? = nil) -> [UInt64] {
        let start = min(signedAt ?? time, time)
        return (given[user] ?? []).filter { $0 &+ ApprovalPolicy.windowMillis > start }
    }

    /// The block time from which `user`, who gave the approvals `approvals(by:at:)` names, may
    /// give another under a bound of `limit` an hour: `time` itself when under it.
    public func nextPossible(by user: String, limit: Int, at time: UInt64) -> UInt64 {
        let recent = approvals(by: user, at: time)
        guard recent.count >= limit else { return time }
        return recent[recent.count - limit] &+ ApprovalPolicy.windowMillis
    }

    /// Records that `user` gave an approval of `subject` (a request id or an operation id) at
    /// `time`, and drops every time that left the window.
    mutating func record(approvalBy user: String, of subject: String, at time: UInt64) {
        journal.record { w in
            w.append(string: "approval")
            w.append(string: user)
            w.append(string: subject)
            w.append(time)
        }
        // Only the writer's times are pruned: a write costs what it changes. Others' old times
        // linger, unread (every read filters by its window), until they approve again.
        let kept = (given[user] ?? []).filter { $0 &+ ApprovalPolicy.windowMillis &+ RequestDecisionEntry.maximumAgeMillis > time }
        given[user] = kept + [time]
    }

    /// Keeps `approval` among the flagged ones, dropping the oldest beyond `maximumFlagged`.
    mutating func flag(_ approval: FlaggedApproval) {
        journal.record { w in
            w.append(string: "flag")
            w.append(string: approval.requestId)
            w.append(string: approval.user)
            w.append(approval.at)
            w.append(string: approval.reason.rawValue)
            w.append(approval.reviewMillis != nil)
            w.append(approval.reviewMillis ?? 0)
            w.append(optional: approval.usd.map { Array($0.description.utf8) })
        }
        flagged.append(approval)
        if flagged.count > Self.maximumFlagged { flagged.removeFirst(flagged.count - Self.maximumFlagged) }
    }
}
