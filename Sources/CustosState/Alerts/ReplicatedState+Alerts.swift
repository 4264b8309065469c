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
    /// block time, in request-id order.
    mutating func raiseOverdueReceipts() {
        let waiting = transactions.awaitingReceipt
        guard !waiting.isEmpty else { return }
        let policy = document.alerts
        for plan in waiting where !alerts.contains(.receiptOverdue, request: plan.requestId) {
            guard let signedAt = plan.signedAt, signedAt + policy.receiptDeadlineMillis(chain: plan.chain) <= time else { continue }
            alerts.raise(.receiptOverdue, plan: plan, codes: [], basis: .blockTime, height: height, time: time)
        }
    }
}
