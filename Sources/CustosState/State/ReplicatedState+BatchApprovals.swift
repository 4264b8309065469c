import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// The requests room's transition for `request.approve-batch` (`RequestBatchApproval`):
    /// applies to every listed request, or records the refusal (with the first listed request
    /// and the person; its reason names every request refused and why) and changes nothing
    /// else — no approval, no counter, no hourly count.
    mutating func applyBatchApproval(_ entry: Entry) -> GovernanceOutcome {
        let batch: RequestBatchApproval
        do { batch = try RequestBatchApproval(entry) } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: nil, error: error))
            return .refused(error)
        }
        var next = self
        do {
            let outcome = try next.approveBatch(batch)
            self = next
            return outcome
        } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: batch.requestIds.first, user: batch.user, error: error))
            return .refused(error)
        }
    }

    /// In order: the one assertion verifies over `RequestBatchApproval.challenge` of the list
    /// with this cluster's genesis digest and the timing (its counter moves on once); every
    /// listed request may still be approved by the person (`undecidedRequest`); none is to be
    /// read on its own, nor are they large together, and every one has the prompt of the first
    /// (`batchRefusal(of:)`); the signed time is close to the block
    /// time (`checkTiming`); then each request is approved in list order as a single approval is
    /// (`record`: eligibility, the hourly bound counted per request, hastiness judged on its
    /// share of the review, the policy in force when one is filled). A failure fails the whole
    /// entry; the checks of the list name every request they refuse, and why.
    private mutating func approveBatch(_ b: RequestBatchApproval) throws(GovernanceError) -> GovernanceOutcome {
        // The person's assertion first (review L1): an entry the person did not sign records
        // only that, never a list of reasons pinned on them.
        try authenticate(b.user, assertion: b.assertion,
                         challenge: RequestBatchApproval.challenge(requestIds: b.requestIds, genesisDigest: genesisDigest, timing: b.timing)!)
        let listed = try b.requestIds.map { id throws(GovernanceError) in try undecidedRequest(id, by: b.user) }
        if let refusal = batchRefusal(of: listed) { throw GovernanceError(.invalidRequest, refusal) }
        try checkTiming(b.timing, approve: true, by: b.user, of: "\(b.requestIds.count) requests",
                        recordedAt: listed.map(\.blockTime).max() ?? time)
        // One review covers them all: each is credited its share (review M1), so approving 20
        // large items in the time one needs is judged hasty.
        let share = b.timing.reviewMillis.map { $0 / UInt64(max(1, b.requestIds.count)) }
        var statuses: [RequestApprovals.Status] = []
        for id in b.requestIds {
            let outcome: GovernanceOutcome
            do { outcome = try record(.approve, of: id, by: b.user, reviewMillis: share, signedAt: b.timing.signedAt) } catch {
                throw GovernanceError(error.code, "request \(id) of the batch: \(error.reason)", context: error.context)
            }
            guard case .requestApprovals(_, let status) = outcome else { continue }
            statuses.append(status)
        }
        return .requestBatchApprovals(requestIds: b.requestIds, statuses: statuses)
    }
}

extension ReplicatedState {
    /// Why the requests `listed` (in list order, each with its `RequestFlags` at this state) may
    /// not be approved together in one `request.approve-batch`, or nil when they may. Every
    /// node's transition refuses a batch with this reason; the console groups its inbox with it
    /// and the CLI asks the gateway for it before anything is signed (`GET
    /// /v1/requests/batch-refusal`), so that no list is offered as a batch that the nodes refuse.
    public func batchRefusal(of listed: [(request: RecordedRequest, flags: RequestFlags)]) -> String? {
        // A request with anything unusual about it deserves its own reading (review H2): one
        // touch for a routine list never covers it, whatever page the gateway served. Nor does
        // one whose USD notional is not known (review M1): no size bound can judge it. The flags
        // alone, from the policy's decision without its explanation in words (review mend).
        let alone = listed.compactMap { r, flags in
            flags.alone.isEmpty ? nil : "request \(r.id): " + flags.alone.joined(separator: "; ")
        }
        if !alone.isEmpty {
            return "\(alone.count) of the \(listed.count) requests are approved only on their own, never in a batch — \(alone.joined(separator: " — "))"
        }
        // Nor is a large amount split into routine pieces (review M2): the batch is judged large on
        // the sum of its notionals, as one request of that size would be. Every notional is known
        // here (an unpriced request is approved only on its own, above); a sum beyond the
        // decimals counts as large.
        let total = listed.reduce(FixedDecimal?.some(.zero)) { sum, r in sum.flatMap { $0.adding(r.flags.notionalUSD ?? .zero) } }
        let bound = policy.document.approvals.batchBound
        if listed.count > 1, total.map({ $0 >= bound.usd }) ?? true {
            return "the \(listed.count) requests move \(total.map { "\($0.grouped) USD" } ?? "more USD than a decimal holds") together, at least the batch bound "
                + "(\(bound.text)): a large amount is approved request by request, never in one batch"
        }
        // Only identical requests are approved together (review H2): a batch is "the same
        // request N times", never a way to slip a different one under one touch.
        if let first = listed.first?.request {
            let odd = listed.map(\.request).filter { RequestPrompt($0) != RequestPrompt(first) }.map(\.id)
            if !odd.isEmpty {
                return "request\(odd.count == 1 ? "" : "s") \(odd.joined(separator: ", ")) \(odd.count == 1 ? "is" : "are") not identical to request \(first.id) "
                    + "(initiator, body and the approvals it waits for): only identical requests are approved together; approve \(odd.count == 1 ? "it" : "each") on its own"
            }
        }
        return nil
    }

    /// `batchRefusal(of:)` of `listed` with each one's flags at this state.
    public func batchRefusal(of listed: [RecordedRequest]) -> String? {
        batchRefusal(of: listed.map { ($0, flags(of: $0)) })
    }
}
