import CustosCore
import CustosIdentity
import CustosLedger

extension ReplicatedState {
    /// The requests room's transition for `request.approve-batch` (`RequestBatchApproval`):
    /// applies to every listed request, or records the refusal (with the first listed request
    /// and the person) and changes nothing else — no approval, no counter, no hourly count.
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

    /// In order: every listed request may still be approved by the person (`undecidedRequest`);
    /// their one assertion verifies over `RequestBatchApproval.challenge` of the list with this
    /// cluster's genesis digest and the timing (its counter moves on once); the signed time is
    /// close to the block time (`checkTiming`); then each request is approved in list order as a
    /// single approval is (`record`: eligibility, the hourly bound counted per request, hastiness,
    /// the policy in force when one is filled). The first that fails names its request and
    /// fails the whole entry.
    private mutating func approveBatch(_ b: RequestBatchApproval) throws(GovernanceError) -> GovernanceOutcome {
        for id in b.requestIds { _ = try undecidedRequest(id, by: b.user) }
        try authenticate(b.user, assertion: b.assertion,
                         challenge: RequestBatchApproval.challenge(requestIds: b.requestIds, genesisDigest: genesisDigest, timing: b.timing)!)
        try checkTiming(.approve, of: "\(b.requestIds.count) requests", by: b.user, timing: b.timing)
        var statuses: [RequestApprovals.Status] = []
        for id in b.requestIds {
            let outcome: GovernanceOutcome
            do { outcome = try record(.approve, of: id, by: b.user, reviewMillis: b.timing.reviewMillis, signedAt: b.timing.signedAt) } catch {
                throw GovernanceError(error.code, "request \(id) of the batch: \(error.reason)", context: error.context)
            }
            guard case .requestApprovals(_, let status) = outcome else { continue }
            statuses.append(status)
        }
        return .requestBatchApprovals(requestIds: b.requestIds, statuses: statuses)
    }
}
