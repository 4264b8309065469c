import CustosCore
import CustosIdentity
import CustosPolicy

extension ReplicatedState {
    /// The days a heightened-monitoring window may run (`offboard-user --monitor-days`).
    public static let monitorDays: ClosedRange<UInt32> = 30...90
    /// The most destinations one offboarding keeps under monitoring: those they last used most
    /// recently win; address-book entries they added come first.
    public static let maximumMonitoredDestinations = 1_000
    /// The most destinations and recipients one request of theirs puts on the list (review of
    /// fin14 M3): a few multisends to throwaway addresses must not push the real ones off it.
    public static let maximumMonitoredPerRequest = 16

    /// `offboard-user`: at this height, `id` loses every credential and role (and so every
    /// approver group, which draw from roles), their requests waiting for approvals, their
    /// open governance operations and the time-locked ones they proposed or approved are
    /// withdrawn in their name, their signing sessions not yet done fail, their transactions approved but
    /// waiting for parameters end unsigned (`expired`), the bots they administered are
    /// due for rotation now, and what they had is kept (`offboardings`). Refused for an unknown
    /// person, one offboarded before, or a monitoring window outside 30 to 90 days; a removed
    /// person may still be offboarded (their bots and requests are what is left). The caller
    /// recompiles the policy and checks governance stays possible without them.
    mutating func offboard(_ id: String, monitorDays: UInt32, operationId: String) throws(GovernanceError) {
        guard let person = users[id] else { throw GovernanceError(.unknownUser, "no user \"\(id.printable(limit: 64))\"") }
        if let earlier = offboardings[id] {
            throw GovernanceError(.invalidChange, "\(id) was offboarded by operation \(earlier.operationId) at \(earlier.at)")
        }
        guard monitorDays == 0 || Self.monitorDays.contains(monitorDays) else {
            throw GovernanceError(
                .invalidChange, "a monitoring window runs \(Self.monitorDays.lowerBound) to \(Self.monitorDays.upperBound) days (0: none), not \(monitorDays)")
        }
        let matrix = accessMatrix
        let row = matrix.rows.first { $0.kind == "person" && $0.subject == id }
        let access = row.map { row in
            zip(matrix.columns, row.cells).filter { !$0.1.isEmpty }.map { Offboarding.Capability(key: $0.0.key, title: $0.0.title, cell: $0.1) }
        } ?? []
        let bots = administeredBots(by: id)
        let monitored = monitorDays == 0 ? [] : destinationsTouched(by: id)

        var withdrawnRequests: [String] = []
        for requestId in requestBook.awaitingApprovals.keys.sorted() {
            guard var request = requestBook.requests[requestId], request.initiator == id, request.approvals?.isPending == true else { continue }
            request.approvals!.status = .rejected
            request.approvals!.rejection = RequestApprovals.Decision(user: id, at: time, height: height)
            request.approvals!.decidedAt = time
            requestBook.update(request)
            requestBook.awaitingApprovals[requestId] = nil
            withdrawnRequests.append(requestId)
        }
        // Their requests approved but not signed yet (no parameters accepted): never signed now;
        // they stop counting in the limits, as when no parameters come in time.
        for var plan in transactions.awaiting where requestBook.requests[plan.requestId]?.initiator == id {
            plan.status = .expired
            plan.failure = "its initiator \(id) was offboarded by operation \(operationId) before it was signed; submit it again to have it reviewed"
            plan.parametersDeadline = nil
            transactions[plan.requestId] = plan
            windows.release(plan.requestId)
            withdrawnRequests.append(plan.requestId)
        }
        // Their requests being signed (messages sign once approved, transactions once their
        // parameters are in): the session fails, so no node lends a share from now on (review
        // helper-106 M3). A signature an attempt already made may exist; `failSigning` keeps it counted.
        for var session in signing.open where requestBook.requests[session.requestId]?.initiator == id {
            session.status = .failed
            session.failure = "its initiator \(id) was offboarded by operation \(operationId) before it was signed; submit it again to have it reviewed"
            failSigning(session)
            withdrawnRequests.append(session.requestId)
        }
        var withdrawnOperations: [String] = []
        // Open ones they proposed, and approved ones waiting out a time-lock that they proposed
        // or approved: what they set going never executes after they left (review helper-106 H1).
        let waiting = { (op: PendingOperation) in op.status == .approved && op.executesAt != nil }
        for opId in operations.keys.sorted() where opId != operationId && {
            let op = operations[opId]!
            return op.isOpen && op.proposal.proposer == id || waiting(op) && (op.proposal.proposer == id || op.approvals.contains(id))
        }() {
            operations[opId]!.status = .rejected
            operations[opId]!.rejectedBy = id
            operations[opId]!.decidedAt = time
            withdrawnOperations.append(opId)
        }

        // Their approvals of operations still open stop counting: a group that names them
        // would otherwise keep them (review helper-108 M1).
        for opId in operations.keys.sorted() where operations[opId]!.isOpen && operations[opId]!.approvals.contains(id) {
            operations[opId]!.approvals.removeAll { $0 == id }
        }
        users[id]!.active = false
        users[id]!.roles = []
        users[id]!.roleExpiry = [:]
        users[id]!.credentials = []
        users[id]!.credentialTimes = [:]
        offboardings[id] = Offboarding(
            user: id, operationId: operationId, at: time, height: height, roles: person.roles,
            credentials: person.credentials.map { Base64URL.encode($0.credentialId) }, access: access,
            administeredBots: bots.all, botsDue: bots.due, withdrawnRequests: withdrawnRequests, withdrawnOperations: withdrawnOperations,
            monitorUntil: monitorDays == 0 ? nil : time + UInt64(monitorDays) * 86_400_000, monitoredDestinations: monitored)
    }

    /// The bots `user` administered: those whose `add-bot` or `rotate-bot-key` operation, executed,
    /// they proposed or approved (`all`); and the active ones whose current key such an
    /// operation set (`due`), which they may know or have handed out.
    func administeredBots(by user: String) -> (all: [String], due: [String]) {
        var all: Set<String> = []
        // The operation that set each bot's current key: the latest executed one, by decision time then id.
        var current: [String: PendingOperation] = [:]
        for op in operations.values where op.status == .executed {
            let bot: String
            switch op.proposal.change {
            case .addBot(let id, _, _, _), .rotateBotKey(let id, _): bot = id
            default: continue
            }
            if op.proposal.proposer == user || op.approvals.contains(user) { all.insert(bot) }
            if let known = current[bot], ((known.decidedAt ?? 0), known.id) > ((op.decidedAt ?? 0), op.id) { continue }
            current[bot] = op
        }
        let due = all.filter { bot in
            guard bots[bot]?.active == true, let op = current[bot] else { return false }
            return op.proposal.proposer == user || op.approvals.contains(user)
        }
        return (all.sorted(), due.sorted())
    }

    /// The destinations `user` touched: the address-book entries in force that a policy change
    /// they proposed added or changed, then the destination and recipients of every recorded
    /// request they initiated, whatever other requests went there after (review of offboarding
    /// M1: reading only a destination's latest request let anyone's later request to it take it
    /// off the list; M2: a batch or call paying it names it as a recipient): those of their
    /// requests approved for signing (allowed, or approved) first, then the rest, each most
    /// recent first, each request adding at most `maximumMonitoredPerRequest` (its destination
    /// first), so that denied or unapproved multisends to throwaway addresses push no real
    /// destination off the list (review of fin14 M3); at most `maximumMonitoredDestinations`,
    /// sorted.
    func destinationsTouched(by user: String) -> [String] {
        var touched: [String] = []
        var seen: Set<String> = []
        for entry in document.addressBook {
            guard let standing = addressBookStandings[entry.name], operations[standing.operationId]?.proposal.proposer == user else { continue }
            if seen.insert(entry.destinationKey).inserted { touched.append(entry.destinationKey) }
        }
        let theirs = requestBook.order.reversed().compactMap { requestBook.requests[$0] }.filter { $0.initiator == user }
        let signable = { (r: RecordedRequest) in r.outcome == .allow || r.approvals?.status == .approved }
        for request in theirs.filter(signable) + theirs.filter({ !signable($0) }) {
            guard touched.count < Self.maximumMonitoredDestinations else { break }
            for key in request.request.recipientKeys.prefix(Self.maximumMonitoredPerRequest) where seen.insert(key).inserted { touched.append(key) }
        }
        return Array(touched.prefix(Self.maximumMonitoredDestinations)).sorted()
    }

    /// When bot `id`'s key became due by an offboarding (`rotationDue(of:in:)`); nil when none made it due.
    public func offboardingRotationDue(of id: String) -> UInt64? {
        bots[id].flatMap { Self.rotationDue(of: $0, in: offboardings) }
    }

    /// When `bot`'s key became due by an offboarding: the earliest offboarding, at or after its
    /// key was set, of a person who administered that key; nil when none did (its schedule from
    /// the policy's key classes alone applies). Rotating the key ends it.
    static func rotationDue(of bot: GovernedBot, in offboardings: [String: Offboarding]) -> UInt64? {
        offboardings.values.filter { $0.botsDue.contains(bot.id) && $0.at >= bot.keyRotatedAt }.map(\.at).min()
    }

    /// Until when (block time, ms) destination `key` (`PolicyRequest.destinationKey`) is under
    /// heightened monitoring at `time`: the latest end of an open window that names it; nil when
    /// none does. What the policy reads as `request.destination_touched_by_offboarded`.
    static func monitoredUntil(_ key: String, at time: UInt64, in offboardings: [String: Offboarding]) -> UInt64? {
        offboardings.values.filter { $0.isMonitoring(at: time) && $0.monitoredDestinations.contains(key) }.compactMap(\.monitorUntil).max()
    }
}
