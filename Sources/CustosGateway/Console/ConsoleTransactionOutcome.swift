import CustosClusterAPI
import CustosCore
import CustosPolicy
import CustosState

/// What became of a request's transaction, from the plan every node keeps for it
/// (`PlannedTransaction`, read through `TransactionView` as the API and `custos request show`
/// read it), never from the request's body: its status, the executor's latest simulation
/// (succeeded, or reverted with the reason every node decoded, at which block, gas used), and
/// once mined the transaction hash, the receipt's status, what every node found differing from
/// the intent, whether the nodes' own readings of the chain confirmed or disputed the receipt
/// (each node's check), and the automatic freeze it caused, if any. Every text made visible (`ConsoleText`); the template escapes it.
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
    /// Each node's own reading of the receipt, in words, in the order committed.
    let checks: [ConsoleText]
    let hasChecks: Bool
    /// Set when this request's receipt froze signing (`ReplicatedState.frozenBy`), in words.
    let froze: String?
    /// The inbox's short form: the simulation, and the receipt's status once mined.
    let line: String

    init(_ t: TransactionView, frozenBy: AutomaticFreezeView? = nil) {
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
        verification = t.receipt.map { r in
            let read: String
            switch r.verification {
            case "confirmed": read = "confirmed: f+1 nodes read this receipt from their own chain endpoints"
            case "disputed": read = "DISPUTED: f+1 nodes read another receipt, or none, from their own chain endpoints"
            default: read = "unconfirmed: the executor's word until f+1 nodes read the same receipt from their own chain endpoints"
            }
            return (r.mismatches.isEmpty ? "the receipt matches the intent" : "MISMATCH with the intent") + "; " + read
        }
        checks = t.receipt?.checks.map { c in
            ConsoleText("\(c.node) at height \(c.height): " + (c.agrees ? "read the same receipt" : c.found ? "read ANOTHER receipt" : "found NO receipt"))
        } ?? []
        hasChecks = !checks.isEmpty
        froze = frozenBy.map { "its \($0.kind) alert (#\($0.alert)) froze signing at height \($0.height); only the governed unfreeze lifts it" }
        line = "simulation: \(simulation)" + (receipt.map { "; \($0)" } ?? "") + (hasMismatches ? "; MISMATCH with the intent" : "")
            + (t.receipt?.verification == "disputed" ? "; receipt DISPUTED" : "")
    }

    /// The outcome of request `id`'s transaction, nil when it has none (a message, a request of
    /// a chain without transactions).
    init?(request id: String, in state: ReplicatedState) {
        guard let plan = state.transactions[id] else { return nil }
        self.init(TransactionView(plan, in: state), frozenBy: state.frozenBy.flatMap { $0.requestId == id ? AutomaticFreezeView($0) : nil })
    }
}
