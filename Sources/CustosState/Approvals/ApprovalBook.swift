import CustosCore
import CustosPolicy

/// The approvals room of the replicated state: what the policy's approval-fatigue limits read.
/// For each person, the times of the approvals they gave in the last hour (request and
/// governance approvals, pruned by block time), and the request approvals flagged as hasty,
/// the most recent `maximumFlagged`. The hourly window is judged by the block time and by the
/// signer's own signing time (`DecisionTiming.signedAt`), whichever is stricter: an approval is
/// kept at the later of the two and the hour before a new one starts at the earlier of its two,
/// so a gateway that skews block times within the nodes' tolerance cannot shorten the hour below
/// the one the signer's own clock measured. It changes only when a node applies an accepted approval,
/// identically on every node; it enters the state digest by its journal (every write in order),
/// pruning following from the block time.
public struct ApprovalBook: Sendable, Codable {
    /// Times (milliseconds) of each person's approvals, oldest first: each the later of its block
    /// time and its signing time. A person's times are kept an hour plus
    /// `DecisionTiming.maximumAgeMillis` after the block that records a newer one (an approval
    /// may be signed that long before its block, and is judged from its signing), pruned when
    /// they approve again.
    private var given: [String: [UInt64]] = [:]
    /// Flagged approvals, oldest first, the most recent `maximumFlagged`.
    public private(set) var flagged = RecentItems<FlaggedApproval>(capacity: maximumFlagged)
    private(set) var journal = WriteJournal(room: "approvals")

    /// The flagged approvals kept: the oldest are dropped beyond it.
    public static let maximumFlagged = 10_000

    init() {}

    /// The recorded times of the approvals `user` gave in the rolling hour before `time`, oldest
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

    /// Records that `user` gave an approval of `subject` (a request id or an operation id) in
    /// the block at `time`, signed at `signedAt` (nil: untimed), as given at the later of the
    /// two; and drops every time of theirs that left the window.
    mutating func record(approvalBy user: String, of subject: String, at time: UInt64, signedAt: UInt64?) {
        let given = max(time, signedAt ?? time)
        journal.record { w in
            w.append(string: "approval")
            w.append(string: user)
            w.append(string: subject)
            w.append(given)
        }
        // Only the writer's times are pruned: a write costs what it changes. Others' old times
        // linger, unread (every read filters by its window), until they approve again.
        var kept = (self.given[user] ?? []).filter { $0 &+ ApprovalPolicy.windowMillis &+ DecisionTiming.maximumAgeMillis > time }
        // In order: a signing time ahead of its block may be later than a newer approval's.
        kept.insert(given, at: kept.firstIndex { $0 > given } ?? kept.count)
        self.given[user] = kept
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
    }
}
