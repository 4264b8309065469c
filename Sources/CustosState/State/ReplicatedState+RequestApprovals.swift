import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// The people who may approve or reject `request` now: active people, other than its
    /// initiator, who are members — in the policy in force, with the registry's people, by roles
    /// acting in the environment of the request's vault — of a group some unmet rule of its
    /// decision names in any alternative (`askedGroups`). Empty for a request that needed no approvals.
    public func eligibleApprovers(of request: RecordedRequest) -> Set<String> {
        var people: Set<String> = []
        for group in request.decision.askedGroups {
            for id in policy.members(ofGroup: group, in: environment(of: request)) where id != request.initiator && users[id]?.active == true {
                people.insert(id)
            }
        }
        return people
    }

    /// The recorded approvals of `request` that count now, in log order: those of people still
    /// eligible (`eligibleApprovers(of:)`). An approver removed, deactivated or taken out of
    /// the groups since no longer counts; nor does an approval given beyond the per-person hourly
    /// bound where the policy asks for a second person (`Decision.beyondLimit`), so the request
    /// needs one more approval, from someone else — a 4-eyes rule then needs three people, one
    /// of them tired. Its giver may approve the same request again once back within their bound
    /// (`decideRequest`), and that approval counts.
    public func countedApprovers(of request: RecordedRequest) -> [String] {
        let eligible = eligibleApprovers(of: request)
        return (request.approvals?.approvals ?? []).filter { !$0.beyondLimit && eligible.contains($0.user) }.map(\.user)
    }

    /// What `request` still needs: the pending approvals of its decision that its counted
    /// approvers do not fill (`CompiledPolicy.unmetApprovals`). Empty once they fill them all.
    public func unmetApprovals(of request: RecordedRequest) -> [PolicyDecision.PendingApproval] {
        policy.unmetApprovals(
            request.decision, approvers: countedApprovers(of: request), initiator: request.initiator, in: environment(of: request))
    }

    /// The environment of `request`'s vault, when the state knows the vault.
    func environment(of request: RecordedRequest) -> Vault.Environment? {
        request.request.kind == .governance ? nil : vaults[request.request.vault]?.environment
    }

    /// The requests room's transition for `request.approve` and `request.reject`: applies in
    /// full, or records the refusal (with the request id and the person) and changes nothing
    /// else — not the approvals, not a credential's counter.
    mutating func applyRequestDecision(_ entry: Entry) -> GovernanceOutcome {
        let decided: RequestDecisionEntry
        do { decided = try RequestDecisionEntry(entry) } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: nil, error: error))
            return .refused(error)
        }
        var next = self
        do {
            let outcome = try next.decideRequest(decided)
            self = next
            return outcome
        } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: decided.requestId, user: decided.user, error: error))
            return .refused(error)
        }
    }

    /// One person's approval or rejection of a request held for approvals. In order: the
    /// request is recorded and still pending (its expiry is applied by `advance(to:)` before any
    /// entry, so an approval at or after `expiresAt` meets an expired request); the person is
    /// active, is not the initiator and has not decided it before; their assertion verifies over
    /// `RequestDecisionEntry.challenge` with this cluster's genesis digest and the decision's
    /// timing (and its counter moves on); its signed time is close to the block time, its review
    /// no longer than the request existed, and an approval carries one where the policy sets
    /// `approvals` (`checkTiming`); they are
    /// eligible now (`eligibleApprovers(of:)`); an approval is within the person's hourly bound,
    /// or is recorded beyond it (`isBeyondApprovalLimit`), and is flagged for review when hasty
    /// on a large request (`hastiness(of:reviewMillis:)`). A rejection ends the request; an
    /// approval that makes the counted approvals fill every pending requirement approves it if the
    /// policy in force now (and the freeze flag) allows the request with those approvals — it is
    /// refused if the policy now denies it, and recorded while the policy asks for more — and,
    /// for a message request, opens its signing session as an allowed request's opens.
    private mutating func decideRequest(_ d: RequestDecisionEntry) throws(GovernanceError) -> GovernanceOutcome {
        let recorded = try undecidedRequest(d.requestId, by: d.user)
        // Authenticated before eligibility, as governance votes are: the gateway turns away an
        // entry whose signer is not who it claims before eligibility is a question.
        try authenticate(
            d.user, assertion: d.assertion, challenge: RequestDecisionEntry.challenge(d.act, requestId: d.requestId, genesisDigest: genesisDigest, timing: d.timing)!)
        try checkTiming(d.timing, approve: d.act == .approve, by: d.user, of: "request \(d.requestId)", recordedAt: recorded.blockTime)
        return try record(d.act, of: d.requestId, by: d.user, reviewMillis: d.timing?.reviewMillis, signedAt: d.timing?.signedAt)
    }

    /// The recorded request `id` if `user` may still decide it, before their assertion is
    /// checked: it is recorded and pending (its expiry is applied by `advance(to:)` before any
    /// entry), and the person is active, not its initiator and has not approved it before.
    func undecidedRequest(_ id: String, by user: String) throws(GovernanceError) -> RecordedRequest {
        guard let recorded = requestBook.requests[id] else {
            throw GovernanceError(.unknownRequest, "no recorded request \(id)")
        }
        guard let approvals = recorded.approvals else {
            throw GovernanceError(.notPending, "request \(id) was decided \(recorded.outcome.rawValue) without approvals")
        }
        switch approvals.status {
        case .pending: break
        case .expired: throw GovernanceError(.expired, "request \(id) expired before it was approved")
        case .approved, .rejected: throw GovernanceError(.notPending, "request \(id) is already \(approvals.status.rawValue)")
        }
        guard let person = users[user] else { throw GovernanceError(.unknownUser, "\(user.printable(limit: 64)) is not a member of the cluster") }
        guard person.active else { throw GovernanceError(.inactiveUser, "\(person.id) has been removed") }
        guard user != recorded.initiator else {
            throw GovernanceError(.initiatorCannotApprove, "\(person.id) initiated request \(id) and can neither approve nor reject it")
        }
        // Each person decides once; an approval given beyond their hourly bound, which fills
        // nothing, may be given again (and replaced) once they are back within it.
        guard !approvals.approvals.contains(where: { $0.user == user && !$0.beyondLimit }) else {
            throw GovernanceError(.duplicateApproval, "\(person.id) already approved request \(id); each person decides once")
        }
        return recorded
    }

    /// Records `user`'s authenticated decision of request `id` (see `decideRequest`): checks
    /// again that they may decide it, then eligibility, the hourly bound and hastiness, and
    /// moves the request on.
    mutating func record(
        _ act: RequestDecisionEntry.Act, of id: String, by user: String, reviewMillis: UInt64?, signedAt: UInt64?
    ) throws(GovernanceError) -> GovernanceOutcome {
        let recorded = try undecidedRequest(id, by: user)
        guard eligibleApprovers(of: recorded).contains(user) else {
            let groups = recorded.decision.askedGroups.sorted()
            if let environment = environment(of: recorded), groups.contains(where: { policy.members(ofGroup: $0).contains(user) }) {
                let acting = policy.environments(of: user).map(\.rawValue).joined(separator: ", ")
                throw GovernanceError(
                    .notEligible,
                    "\(user)'s \(act.rawValue == "approve" ? "approval" : "rejection") of request \(id) does not count: their roles act in "
                        + "\(acting.isEmpty ? "no environment" : acting) only, and vault \(recorded.request.vault) is a \(environment.rawValue) vault")
            }
            throw GovernanceError(
                .notEligible,
                "\(user) may not \(act.rawValue) request \(id): only members of \(groups.joined(separator: ", ")) other than its initiator may"
                    + onboardingNote(user))
        }
        var decision = RequestApprovals.Decision(user: user, at: time, height: height)
        var flag: FlaggedApproval?
        if act == .approve {
            decision.beyondLimit = try isBeyondApprovalLimit(user, governance: false, signedAt: signedAt)
            decision.reviewMillis = reviewMillis
            if let hasty = hastiness(of: recorded, reviewMillis: decision.reviewMillis) {
                decision.flagged = hasty.reason
                flag = FlaggedApproval(
                    requestId: id, user: user, at: time, height: height, reason: hasty.reason, reviewMillis: decision.reviewMillis, usd: hasty.usd)
            }
        }
        var updated = recorded
        switch act {
        case .reject:
            updated.approvals!.rejection = decision
            updated.approvals!.status = .rejected
            updated.approvals!.decidedAt = time
        case .approve:
            if decision.beyondLimit, updated.approvals!.approvals.contains(where: { $0.user == user }) {
                throw GovernanceError(.approvalLimit, "\(user) approved request \(id) beyond their hourly bound already; they may approve it again once back within it")
            }
            updated.approvals!.approvals.removeAll { $0.user == user }
            updated.approvals!.approvals.append(decision)
            if unmetApprovals(of: updated).isEmpty {
                // The policy in force now decides, with the approvals that count: one tightened
                // since the request was submitted (a destination denied, more approvals asked)
                // or a freeze must not be outrun by approvals gathered under the old one.
                var current = updated.request
                current.approvals = countedApprovers(of: updated)
                let now = requestAuthority.evaluate(current, blockTime: time, deciding: id)
                switch now.outcome {
                case .allow:
                    updated.approvals!.status = .approved
                    updated.approvals!.decidedAt = time
                case .deny:
                    throw GovernanceError(.notPermitted, "the policy in force now does not allow request \(id): \(Self.describe(now.reason))")
                case .needsApprovals:
                    // Recorded; the request waits (and expires) unless the policy comes to allow it.
                    break
                }
            }
        }
        requestBook.update(updated)
        if act == .approve { approvalBook.record(approvalBy: user, of: id, at: time, signedAt: signedAt) }
        if let flag { approvalBook.flag(flag) }
        if !updated.approvals!.isPending { requestBook.awaitingApprovals[id] = nil }
        if updated.approvals!.status == .approved {
            countInWindows(updated)
            if updated.request.kind == .message { sign(updated) }
            awaitParameters(id)
        }
        return .requestApprovals(requestId: id, status: updated.approvals!.status)
    }

    /// Expires every request still waiting for approvals whose time for them ended by the
    /// state's block time, in request-id order: each change is journaled, and the journal must
    /// be the same on every node.
    mutating func expireRequestApprovals() {
        guard !requestBook.awaitingApprovals.isEmpty else { return }
        for id in requestBook.awaitingApprovals.filter({ $0.value <= time }).keys.sorted() {
            requestBook.awaitingApprovals[id] = nil
            guard var request = requestBook.requests[id], request.approvals?.isPending == true else { continue }
            request.approvals!.status = .expired
            request.approvals!.decidedAt = time
            requestBook.update(request)
        }
    }
}
