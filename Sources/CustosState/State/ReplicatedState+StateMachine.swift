import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// Applies one committed log entry at its block's time. Deterministic: no clock, no I/O, no
    /// randomness. First every open operation whose lifetime ended by `blockTime` expires (every
    /// key ceremony past its deadline fails, every signing attempt past its deadline moves on);
    /// then the entry either applies in full or changes nothing but `refusals` (one exception: a
    /// watch report refused only for its monitoring section also records how far its watcher
    /// read, `MonitoringBook.refusedReach`, which the lag alert reads). An entry that
    /// `malformation(of:)` names is refused with that error before any room reads it; any other
    /// goes to the room its kind names in `entryKinds` — governance entries (`governance.*`) to
    /// the governance room, requests (`request.submit`, from bots and people) and people's
    /// decisions on them (`request.approve`, `request.reject`) to the requests room, nodes' ceremony and signing entries (`vault.*`) to the vaults room.
    @discardableResult
    public mutating func apply(_ entry: Entry, blockTime: UInt64) -> GovernanceOutcome {
        apply(entry, admitted: Result { () throws(GovernanceError) in try Self.admit(entry).kind }, blockTime: blockTime)
    }

    /// `apply(_:blockTime:)` with the entry's row of `entryKinds` (or why it has none) already
    /// known from `admit(_:)`: a validator reads it before it lets its working state move.
    mutating func apply(_ entry: Entry, admitted: Result<EntryKind, GovernanceError>, blockTime: UInt64) -> GovernanceOutcome {
        // A new digest cache before and after: neither a state this one shares its cache with
        // nor a copy taken during the transition may keep a digest of another state.
        digestCache = StateDigestCache()
        defer { digestCache = StateDigestCache() }
        Self.appliedEntries?.add(1)
        advance(to: blockTime)
        switch admitted {
        case .success(let kind):
            return kind.transition(&self, entry)
        case .failure(let error):
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: nil, error: error))
            return .refused(error)
        }
    }

    /// The governance room's transition for a `governance.*` entry that `malformation(of:)` passed.
    mutating func applyGovernance(_ entry: Entry) -> GovernanceOutcome {
        let decoded: GovernanceEntry
        do { decoded = try GovernanceEntry(entry) } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: nil, error: error))
            return .refused(error)
        }
        var next = self
        do {
            let outcome = try next.transition(decoded)
            self = next
            return outcome
        } catch {
            let (id, user): (String, String) = switch decoded {
            case .propose(let p, _): (p.id, p.proposer)
            case .approve(let id, let user, _, _), .reject(let id, let user, _, _): (id, user)
            case .enrol(let id, let user, _, _): (id, user)
            }
            record(Refusal(blockTime: time, kind: entry.kind, operationId: id, user: user, error: error))
            return .refused(error)
        }
    }

    /// Keeps a refusal, dropping the oldest beyond `maximumRecordedRefusals` (in O(1): a ring).
    mutating func record(_ refusal: Refusal) {
        refusals.append(refusal)
        refusalJournal.record { $0.append(refusal) }
    }

    /// The state after `entry`, and what happened; `self` is unchanged.
    public func applying(_ entry: Entry, blockTime: UInt64) -> (ReplicatedState, GovernanceOutcome) {
        var copy = self
        let outcome = copy.apply(entry, blockTime: blockTime)
        return (copy, outcome)
    }

    /// Applies a committed block's entries in order, at the block's time.
    @discardableResult
    public mutating func apply(_ block: Block) -> [GovernanceOutcome] {
        // For a block without entries; every entry moves the clock to the same time again.
        enter(block)
        return block.entries.map { apply($0, of: block) }
    }

    /// Applies one entry of `block` exactly as `apply(_ block:)` does for each entry in turn: the
    /// clock first moves to the block's time. Applying every entry of a block this way, in order,
    /// then `advance(to:)` the block's time, yields the state `apply(_ block:)` yields.
    @discardableResult
    public mutating func apply(_ entry: Entry, of block: Block) -> GovernanceOutcome {
        enter(block)
        return apply(entry, blockTime: block.timestamp)
    }

    /// Moves the state to a committed block: its height first (ceremonies and signing attempts
    /// that start record it), then its time (`advance(to:)`). Every path that applies a block —
    /// whole, entry by entry, or through a validator — enters it this way, so they all agree.
    public mutating func enter(_ block: Block) {
        if block.height >= height { blockHash = block.hash.bytes }
        height = max(height, block.height)
        advance(to: block.timestamp)
    }

    /// Moves the state's clock to a committed block's time, expires every open operation whose
    /// lifetime ended by then, executes every approved one whose time-lock ended, and lapses
    /// every role grant that ran out; a node calls it for every block, even one without governance
    /// entries. Block time never goes backwards here: an older time counts as the latest seen.
    public mutating func advance(to blockTime: UInt64) {
        digestCache = StateDigestCache()
        time = max(time, blockTime)
        // Each operation expires on its own, so the dictionary's order does not matter.
        for (id, op) in operations where op.isOpen && op.expiresAt <= time {
            operations[id]!.status = .expired
            operations[id]!.decidedAt = time
        }
        executeDueOperations()
        lapseGrants()
        closeAccessReview()
        expireCeremonies()
        expireRequestApprovals()
        windows.expire(at: time)
        expireParameters()
        advanceSigning()
        raiseOverdueReceipts()
    }

    private mutating func transition(_ entry: GovernanceEntry) throws(GovernanceError) -> GovernanceOutcome {
        switch entry {
        case .propose(let proposal, let assertion):
            return try propose(proposal, assertion: assertion)
        case .approve(let id, let user, let assertion, let timing):
            return try vote(id, user: user, assertion: assertion, timing: timing, approve: true)
        case .reject(let id, let user, let assertion, let timing):
            return try vote(id, user: user, assertion: assertion, timing: timing, approve: false)
        case .enrol(let id, let user, let proof, let registration):
            return try enrol(id, user: user, proof: proof, registration: registration)
        }
    }

    private mutating func propose(_ p: GovernanceProposal, assertion: WebAuthnAssertion.Response) throws(GovernanceError) -> GovernanceOutcome {
        try p.checkId()
        guard operations[p.id] == nil else { throw GovernanceError(.duplicateOperation, "operation \"\(p.id)\" was proposed before") }
        try p.checkLifetime()
        try authenticate(p.proposer, assertion: assertion, challenge: p.challenge(.propose, genesisDigest: genesisDigest))
        // Whether they may propose it, before any work the change costs (review helper-106 M4).
        let decision = policy.evaluate(request(p, approvals: []), in: snapshot)
        if decision.outcome == .deny {
            throw GovernanceError(
                .notPermitted, "\(p.proposer) may not propose \(p.change.operation.action.rawValue): \(Self.describe(decision.reason))")
        }
        // The change must apply to the current state now (it is checked again at execution).
        var dryRun = self
        try dryRun.execute(p)
        if case .changePolicy = p.change { try Self.checkRolesHeld(dryRun.policy) }
        operations[p.id] = PendingOperation(
            proposal: p, digest: p.digest, status: .proposed, proposedAt: time,
            expiresAt: time + UInt64(p.lifetimeSeconds) * 1000, approvals: [], rejections: [], rejectedBy: nil, decidedAt: nil,
            failure: nil)
        if decision.outcome == .allow { settle(p.id) }
        return .applied(operationId: p.id, status: operations[p.id]!.status)
    }

    /// An approval or a rejection. Only people eligible to approve the operation (members of
    /// the approver groups its governance rules use, `CompiledPolicy.eligibleApprovers`) may
    /// approve or reject it, each once and never both; the proposer may withdraw it. A rejection
    /// ends the operation only when, with every other eligible active person approving, the
    /// governance rules could not approve it at any time of the coming week; until then it is
    /// recorded and the operation stays open, so no single person holds a veto the rules do not
    /// give them. Nobody approves a change that gives them a role or a credential
    /// (`GovernanceChange.beneficiary`), so their approval never counts towards their own power.
    /// A timed decision (`timing`, bound into its challenge) is checked against the block time and
    /// the operation's proposal (`checkTiming`); where the policy sets `approvals`, an untimed
    /// approval is refused. An approval counts towards the person's hourly bound
    /// (`approvals.per_person_per_hour`), judged from its signing time as well as the block's,
    /// and is refused over it (`isBeyondApprovalLimit`).
    private mutating func vote(
        _ id: String, user: String, assertion: WebAuthnAssertion.Response, timing: DecisionTiming?, approve: Bool
    ) throws(GovernanceError) -> GovernanceOutcome {
        guard let op = operations[id] else { throw GovernanceError(.unknownOperation, "no operation \"\(id.prefix(128))\"") }
        switch op.status {
        case .proposed: break
        case .approved where op.executesAt != nil && !approve:
            // The cancel challenge binds when the operation would execute, not a signing time: a
            // time in the entry would be the gateway's to change.
            if let timing {
                throw GovernanceError(
                    .decisionTiming, "a cancel of operation \"\(id)\" during its time-lock signs the cancel challenge, which carries no time; "
                        + "this one says it was signed at \(timing.signedAt) ms")
            }
            return try cancel(id, by: user, assertion: assertion)
        case .approved where op.executesAt != nil:
            throw GovernanceError(.notPending, "operation \"\(id)\" is approved and waits its time-lock; a security officer may still cancel it")
        case .expired: throw GovernanceError(.expired, "operation \"\(id)\" expired")
        default: throw GovernanceError(.notPending, "operation \"\(id)\" is already \(op.status.rawValue)")
        }
        guard let voter = users[user] else { throw GovernanceError(.unknownUser, "\(user.prefix(64)) is not a member of the cluster") }
        guard voter.active else { throw GovernanceError(.inactiveUser, "\(user) has been removed") }
        let isInitiator = user == op.proposal.proposer
        if approve && isInitiator {
            throw GovernanceError(.initiatorCannotApprove, "\(user) proposed operation \"\(id)\" and cannot approve it")
        }
        let beneficiary = op.proposal.change.beneficiary
        if approve && user == beneficiary {
            throw GovernanceError(
                .beneficiaryCannotApprove, "operation \"\(id)\" gives \(user) a role or a credential; they cannot approve it themselves")
        }
        if op.approvals.contains(user) {
            throw GovernanceError(.duplicateApproval, "\(user) already approved operation \"\(id)\"; each person decides once")
        }
        if op.rejections.contains(user) {
            throw GovernanceError(.duplicateApproval, "\(user) already rejected operation \"\(id)\"; each person decides once")
        }
        // Authenticated first, so that the gateway turns away an entry whose signer is not who it
        // claims before the question of eligibility reaches the log.
        try authenticate(
            user, assertion: assertion, challenge: op.proposal.challenge(approve ? .approve : .reject, genesisDigest: genesisDigest, timing: timing))
        try checkTiming(timing, approve: approve, by: user, of: "operation \"\(id)\"", recordedAt: op.proposedAt)
        let pending = request(op.proposal, approvals: [])
        let eligible = policy.eligibleApprovers(for: pending, in: snapshot)
        if !isInitiator && !eligible.contains(user) {
            let action = op.proposal.change.operation.action.rawValue
            let groups = policy.approverGroups(for: pending, in: snapshot)
            let why = groups.isEmpty
                ? "no approver group's approvals count for it"
                : "only members of \(groups.joined(separator: ", ")) may approve or reject it"
            throw GovernanceError(
                .notEligible, "\(user) may not \(approve ? "approve" : "reject") operation \"\(id)\" (\(action)): \(why)" + onboardingNote(user))
        }
        if !approve {
            operations[id]!.rejections.append(user)
            let rejected = operations[id]!.rejections
            let others = eligible.filter { users[$0]?.active == true && !rejected.contains($0) && $0 != beneficiary }
            if isInitiator || !policy.couldBeApproved(request(op.proposal, approvals: op.approvals), by: others, in: snapshot) {
                operations[id]!.status = .rejected
                operations[id]!.rejectedBy = user
                operations[id]!.decidedAt = time
            }
            return .applied(operationId: id, status: operations[id]!.status)
        }
        _ = try isBeyondApprovalLimit(user, governance: true, signedAt: timing?.signedAt)
        operations[id]!.approvals.append(user)
        approvalBook.record(approvalBy: user, of: id, at: time, signedAt: timing?.signedAt)
        let decision = policy.evaluate(request(op.proposal, approvals: operations[id]!.approvals), in: snapshot)
        if decision.outcome == .allow { settle(id) }
        return .applied(operationId: id, status: operations[id]!.status)
    }

    /// An operation the rules approved: executed now, or, when the policy time-locks its action
    /// (`governance.timelocks`), left `approved` until the first block at or after its wait,
    /// which executes it (`advance(to:)`) unless a security officer cancelled it meanwhile.
    private mutating func settle(_ id: String) {
        guard let wait = document.governance?.timelock(operations[id]!.proposal.change.operation.action) else { return finish(id) }
        operations[id]!.status = .approved
        operations[id]!.executesAt = time + UInt64(wait) * 1000
    }

    /// Executes the approved operations whose time-lock ended by the state's time, earliest
    /// first. While signing is frozen only an unfreeze executes: a security officer's freeze
    /// pauses every other wait, so a quorum that holds back the officers' cancellations still
    /// has to unfreeze first, in the open. Its approvals are counted again first, under the
    /// policy and registries in force now (review L4): one whose approvers no longer make a
    /// quorum — removed, or their role revoked or lapsed during the wait — fails, saying so.
    mutating func executeDueOperations() {
        let due = operations.values.filter { $0.status == .approved && ($0.executesAt ?? .max) <= time && (!frozen || $0.proposal.change == .unfreeze) }
            .sorted { ($0.executesAt!, $0.id) < ($1.executesAt!, $1.id) }
        // An operation an earlier one in this block withdrew (an offboarding) stays withdrawn
        // (review helper-108 H1).
        for op in due where operations[op.id]?.status == .approved {
            let recount = policy.evaluate(request(op.proposal, approvals: op.approvals), in: snapshot)
            guard recount.outcome == .allow else {
                operations[op.id]!.status = .failed
                operations[op.id]!.failure = "when its time-lock ended, its approvals (\(op.approvals.joined(separator: ", "))) no longer met the "
                    + "governance rules in force: \(Self.describe(recount.reason))"
                operations[op.id]!.decidedAt = time
                continue
            }
            finish(op.id)
        }
    }

    /// A security officer (a person holding one of the policy's freeze roles) cancels an
    /// approved operation during its time-lock, with an assertion over the operation's cancel
    /// challenge, which binds when it would execute (`GovernanceProposal.cancelChallenge`): it never executes. Nobody else can, whatever the quorum approved, and no
    /// officer cancels an operation that acts on themselves (their removal, a role or
    /// credential of theirs, an access review that revokes one of their grants): one officer
    /// stops what the quorum does to others, not what it does to them.
    private mutating func cancel(_ id: String, by user: String, assertion: WebAuthnAssertion.Response) throws(GovernanceError) -> GovernanceOutcome {
        guard let op = operations[id], op.status == .approved, let executesAt = op.executesAt else {
            throw GovernanceError(.notPending, "operation \"\(id)\" waits no time-lock")
        }
        guard let person = users[user] else { throw GovernanceError(.unknownUser, "\(user.prefix(64)) is not a member of the cluster") }
        guard person.active else { throw GovernanceError(.inactiveUser, "\(user) has been removed") }
        try authenticate(user, assertion: assertion, challenge: op.proposal.cancelChallenge(executesAt: executesAt, genesisDigest: genesisDigest))
        let officers = freezeRoles
        guard isSecurityOfficer(user) else {
            throw GovernanceError(.notEligible, "\(user) may not cancel operation \"\(id)\" during its time-lock (until \(executesAt)): "
                + "only holders of \(officers.isEmpty ? "a freeze role" : officers.joined(separator: ", ")) may" + onboardingNote(user))
        }
        guard !op.proposal.change.actsOn(user) else {
            throw GovernanceError(.notEligible, "operation \"\(id)\" acts on \(user), who may not cancel it; another security officer may")
        }
        operations[id]!.rejections.append(user)
        operations[id]!.status = .rejected
        operations[id]!.rejectedBy = user
        operations[id]!.decidedAt = time
        return .applied(operationId: id, status: .rejected)
    }

    /// Marks an operation approved and executes it; one that no longer applies fails, recorded.
    private mutating func finish(_ id: String) {
        operations[id]!.status = .approved
        let proposal = operations[id]!.proposal
        var next = self
        do {
            try next.execute(proposal)
            self = next
            operations[id]!.status = .executed
        } catch {
            operations[id]!.status = .failed
            operations[id]!.failure = error.description
        }
        operations[id]!.decidedAt = time
    }

    /// Verifies `user`'s assertion over `challenge` with the credential it names, and stores the
    /// credential's new counter, backup state and last use.
    mutating func authenticate(
        _ user: String, assertion: WebAuthnAssertion.Response, challenge: [UInt8]
    ) throws(GovernanceError) {
        guard let u = users[user] else { throw GovernanceError(.unknownUser, "\(user.prefix(64)) is not a member of the cluster") }
        guard u.active else { throw GovernanceError(.inactiveUser, "\(user) has been removed") }
        let verified = try u.verify(
            assertion, challenge: challenge, relyingParty: relyingParty, requireUserVerification: requireUserVerification)
        users[user]!.store(verified.credential, at: verified.index, usedAt: time)
    }

    private func request(_ p: GovernanceProposal, approvals: [String]) -> PolicyRequest {
        PolicyRequest(id: p.id, kind: .governance, initiator: p.proposer, operation: p.change.operation, approvals: approvals)
    }

    var snapshot: StateSnapshot { StateSnapshot(time: Int64(time / 1000), frozen: frozen) }

    package static func describe(_ reason: PolicyDecision.Reason) -> String {
        switch reason {
        case .frozen: return "signing is frozen"
        case .unknownInitiator: return "unknown to the policy"
        case .outsideEnvironment(let mismatch): return mismatch.text
        case .notOnboarded(let gap): return gap.text
        case .invalidRequest(let s): return s
        case .destinationHeld(let entry, let hold): return hold.text(entry: entry)
        case .deniedByRule(let rule): return "denied by rule \(rule)"
        case .approvalsPending: return "approvals pending"
        case .approved: return "approved"
        case .allowedByRule(let rule): return "allowed by rule \(rule)"
        case .noRuleMatched: return "no governance rule allows it"
        }
    }
}
