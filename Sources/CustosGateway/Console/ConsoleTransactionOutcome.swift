import CustosClusterAPI
import CustosCore
import CustosPolicy
import CustosState

/// What became of a request's transaction, from the plan every node keeps for it
/// (`PlannedTransaction`, read through `TransactionView` as the API and `custos request show`
/// read it), never from the request's body: its status, the executor's latest simulation
/// (succeeded, or reverted with the reason every node decoded, at which block, gas used), and
/// once mined the transaction hash, the receipt's status and what every node found differing
/// from the intent. Every text made visible (`ConsoleText`); the template escapes it.
/// (Templates read stored properties only.)
struct ConsoleTransactionOutcome: Sendable {
    let status: String
    let simulation: String
    let reverted: Bool
    let transactionHash: String?
    let receipt: String?
    /// Whether the receipt matched the intent, in words; nil before a receipt.
    let verification: String?
    let mismatches: [ConsoleText]
    let hasMismatches: Bool
    /// The inbox's short form: the simulation, and the receipt's status once mined.
    let line: String

    init(_ t: TransactionView) {
        status = t.status
        if let s = t.simulation {
            let at = "at block \(s.blockNumber), gas used \(FixedDecimal(Int(clamping: s.gasUsed))?.grouped ?? String(s.gasUsed))"
            reverted = s.outcome != "success"
            simulation = ConsoleText.visible(reverted ? "REVERTED \(at): \(s.revertReason ?? "no reason given")" : "succeeded \(at)")
        } else {
            reverted = false
            simulation = "not simulated yet"
        }
        transactionHash = t.transactionHash
        receipt = t.receipt.map { r in
            "mined in block \(r.blockNumber): " + (r.status == "success" ? "succeeded" : "REVERTED (its gas was paid)")
                + ", gas used \(FixedDecimal(Int(clamping: r.gasUsed))?.grouped ?? String(r.gasUsed))"
        }
        mismatches = t.receipt?.mismatches.map { ConsoleText("\($0.code): \($0.text)") } ?? []
        hasMismatches = !mismatches.isEmpty
        verification = t.receipt.map { $0.mismatches.isEmpty ? "the receipt the executor reported matches the intent (every node compared them; no node read the chain itself)" : "MISMATCH with the intent" }
        line = "simulation: \(simulation)" + (receipt.map { "; \($0)" } ?? "") + (hasMismatches ? "; MISMATCH with the intent" : "")
    }

    /// The outcome of request `id`'s transaction, nil when it has none (a message, a request of
    /// a chain without transactions).
    init?(request id: String, in state: ReplicatedState) {
        guard let plan = state.transactions[id] else { return nil }
        self.init(TransactionView(plan, in: state))
    }
}
