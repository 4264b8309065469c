import CustosCore
import CustosPolicy

extension ReplicatedState {
    /// How far back an exit report lists requests, decisions and operations.
    public static let exitReportDays: UInt32 = 90

    /// The exit report of offboarded person `user` (`ExitReport`), nil for anyone not offboarded:
    /// their `Offboarding` record, then what the state holds of the `exitReportDays` days before it.
    public func exitReport(of user: String) -> ExitReport? {
        guard let o = offboardings[user] else { return nil }
        let since = o.at >= UInt64(Self.exitReportDays) * 86_400_000 ? o.at - UInt64(Self.exitReportDays) * 86_400_000 : 0
        func inPeriod(_ t: UInt64) -> Bool { t >= since && t <= o.at }
        var requests: [ExitReport.Request] = []
        var decisions: [ExitReport.Decision] = []
        for id in requestBook.order {
            guard let r = requestBook.requests[id] else { continue }
            if r.initiator == user, inPeriod(r.blockTime) {
                requests.append(ExitReport.Request(
                    id: id, at: r.blockTime, kind: r.request.kind.rawValue, vault: r.request.vault, destination: r.request.destination,
                    amount: r.request.amount.description, asset: r.request.asset, status: r.approvals?.status.rawValue ?? r.outcome.rawValue))
            }
            for d in r.approvals?.approvals ?? [] where d.user == user && inPeriod(d.at) {
                decisions.append(ExitReport.Decision(id: id, at: d.at, act: "approve"))
            }
            // A request withdrawn by the offboarding carries their name as its rejection: not a decision of theirs.
            if let d = r.approvals?.rejection, d.user == user, r.initiator != user, inPeriod(d.at) {
                decisions.append(ExitReport.Decision(id: id, at: d.at, act: "reject"))
            }
        }
        var operations: [ExitReport.Operation] = []
        var operationDecisions: [ExitReport.Decision] = []
        for op in self.operations.values.sorted(by: { ($0.proposedAt, $0.id) < ($1.proposedAt, $1.id) }) where inPeriod(op.proposedAt) {
            let operation = op.proposal.change.operation
            if op.proposal.proposer == user, op.id != o.operationId {
                operations.append(ExitReport.Operation(
                    id: op.id, at: op.proposedAt, action: operation.action.rawValue, target: operation.target, status: op.status.rawValue))
            }
            if op.approvals.contains(user) { operationDecisions.append(ExitReport.Decision(id: op.id, at: op.proposedAt, act: "approve")) }
            if op.rejections.contains(user) { operationDecisions.append(ExitReport.Decision(id: op.id, at: op.proposedAt, act: "reject")) }
        }
        let oldest = requestBook.order.first.flatMap { requestBook.requests[$0]?.blockTime }
        let complete = requestBook.order.count < RequestBook.maximumRecordedRequests || (oldest ?? 0) < since
        return ExitReport(
            offboarding: o, days: Self.exitReportDays, requests: requests, requestDecisions: decisions, operations: operations,
            operationDecisions: operationDecisions, complete: complete)
    }
}
