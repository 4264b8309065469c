import CustosPolicy

extension ReplicatedState {
    /// The alert a recorded receipt raises, if any: `mined-reverted` for a revert, else
    /// `receipt-mismatch` for any mismatch; `reported`, since only the executor read the chain.
    mutating func raiseReceiptAlert(_ plan: PlannedTransaction) {
        guard !plan.mismatches.isEmpty else { return }
        let kind: Alert.Kind = plan.status == .minedReverted ? .minedReverted : .receiptMismatch
        alerts.raise(kind, plan: plan, codes: plan.mismatches.map(\.code), basis: .reported, height: height, time: time)
    }

    /// Raises `receipt-overdue`, once, for every signed transaction without a receipt whose
    /// chain's deadline (`alerts.receipt_deadline`) after its signature passed by the state's
    /// block time, in request-id order. It looks at the plans only when the earliest deadline it
    /// last found is due, a plan was signed since, or the policy changed (`overdueCheck`): a block
    /// with nothing due costs O(1) (review helper-97 M6).
    mutating func raiseOverdueReceipts() {
        if let check = overdueCheck, time < check.due, check.signings == transactions.signings, check.policyVersion == policyVersion { return }
        let policy = document.alerts
        var next = UInt64.max
        for plan in transactions.awaitingReceipt where !alerts.contains(.receiptOverdue, request: plan.requestId) {
            guard let signedAt = plan.signedAt else { continue }
            let due = signedAt + policy.receiptDeadlineMillis(chain: plan.chain)
            if due <= time {
                alerts.raise(.receiptOverdue, plan: plan, codes: [], basis: .blockTime, height: height, time: time)
            } else {
                next = min(next, due)
            }
        }
        overdueCheck = (next, transactions.signings, policyVersion)
    }
}
