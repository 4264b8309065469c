import CustosCore
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// Whether `user`'s approval now goes beyond the policy's per-person hourly bound
    /// (`approvals.per_person_per_hour`, counted in the approvals room over the rolling hour of
    /// block time before this one, request and governance approvals alike): false under it or
    /// without a bound. Over it, a request approval is refused (`approvalLimit`) where the policy
    /// pauses the person, and recorded as beyond the limit (true) where it asks for a second
    /// person; a governance approval (`governance`) over it is refused either way, with the time
    /// the next approval is possible. An approval signed at `signedAt`, before the block, counts
    /// what its signer had given in the hour before signing and since: a gateway that holds a
    /// paused person's approval back until their pause ends does not make it count.
    func isBeyondApprovalLimit(_ user: String, governance: Bool, signedAt: UInt64? = nil) throws(GovernanceError) -> Bool {
        let limits = policy.document.approvals
        guard let limit = limits.perPersonPerHour else { return false }
        let given = approvalBook.approvals(by: user, at: time, signedAt: signedAt)
        guard given.count >= limit else { return false }
        if limits.beyond == .secondPerson && !governance { return true }
        let next = approvalBook.nextPossible(by: user, limit: limit, at: time)
        throw GovernanceError(
            .approvalLimit,
            "\(user) gave \(given.count) approvals in the last hour, the most the policy allows; the next is possible from "
                + UTCTime.minute(roundingUp: next))
    }

    /// A decision's signed time (`DecisionTiming`) against the block time that commits it, for
    /// requests and governance operations alike: no more than `DecisionTiming.maximumAgeMillis`
    /// before it (a gateway cannot hold a decision back and present it later, after the hour
    /// that paused its signer) nor `maximumLeadMillis` after it; and its review no longer than
    /// the item can have existed — since `recordedAt` (the block time that recorded the request
    /// or proposed the operation) to the block time committing the decision, with the nodes'
    /// block clock skew (`NodeConsensus.defaultMaximumClockSkew`) allowed once (final review L1,
    /// L4: no signer's lead on top, so a `hasty.within` of a few minutes is enforceable; review of
    /// cool8, item 3: block time alone, not the signer's own clock, so an approver whose clock is
    /// slow is not refused for a real review): a longer
    /// review is a claim no client could have measured, refused rather than believed. Where the policy sets `approvals`, an approval must carry its time: one
    /// without is refused. All refused as `decisionTiming`. `subject` names the item ("request
    /// <id>", "operation \"<id>\"").
    func checkTiming(
        _ timing: DecisionTiming?, approve: Bool, by user: String, of subject: String, recordedAt: UInt64
    ) throws(GovernanceError) {
        let act = approve ? "approval" : "rejection"
        guard let timing else {
            guard !approve || !policy.document.approvals.isSet else {
                throw GovernanceError(
                    .decisionTiming,
                    "the policy bounds approvals (its approvals section), so an approval says when it was signed; "
                        + "\(user)'s approval of \(subject) says not (made by an older custos?)")
            }
            return
        }
        if time > timing.signedAt, time - timing.signedAt > DecisionTiming.maximumAgeMillis {
            throw GovernanceError(
                .decisionTiming,
                "\(user)'s \(act) of \(subject) was signed at \(timing.signedAt) ms, "
                    + "more than \(DecisionTiming.maximumAgeMillis / 60_000) minutes before the block time \(time) ms that would commit it: "
                    + "held back, or the signer's clock is wrong; decide again")
        }
        if timing.signedAt > time, timing.signedAt - time > DecisionTiming.maximumLeadMillis {
            throw GovernanceError(
                .decisionTiming,
                "\(user)'s \(act) of \(subject) says it was signed at \(timing.signedAt) ms, "
                    + "more than \(DecisionTiming.maximumLeadMillis / 60_000) minutes after the block time \(time) ms: the signer's clock is wrong")
        }
        let skew = NodeConsensus.defaultMaximumClockSkew
        let latest = time + skew
        let existed = latest > recordedAt ? latest - recordedAt : 0
        if let review = timing.reviewMillis, review > existed {
            throw GovernanceError(
                .decisionTiming,
                "\(user)'s \(act) of \(subject) claims a review of \(review) ms, but \(subject) was recorded at block time \(recordedAt) ms, "
                    + "at most \(existed) ms before block time \(time) ms (with \(skew / 1000) s allowed "
                    + "for the nodes' clocks): no client measured that; decide again")
        }
    }

    /// Why an approval of `request` with review `reviewMillis` (nil: none measured) is flagged
    /// for review under `approvals.hasty`, with the request's USD notional at this block time;
    /// nil when it is not flagged (no such policy, or a request small enough, or a long enough
    /// review). A request whose notional is not known counts as large.
    func hastiness(of request: RecordedRequest, reviewMillis: UInt64?) -> (reason: ApprovalPolicy.HastyReason, usd: FixedDecimal?)? {
        let limits = policy.document.approvals
        guard limits.hastyWithinSeconds != nil else { return nil }
        let usd = policy.notionalUSD(of: request.request, in: requestAuthority.snapshot(for: request.request, blockTime: time))
        guard limits.isLarge(usd), let reason = limits.hastiness(reviewMillis: reviewMillis) else { return nil }
        return (reason, usd)
    }
}
