import CustosCore
import CustosLedger

extension ReplicatedState {
    /// Routes a `request.receipt` entry: the executor's receipt is checked (`acceptReceipt`) and
    /// recorded on the plan; refused, only the refusal is recorded.
    mutating func applyReceipt(_ entry: Entry) -> GovernanceOutcome {
        applyExecutorEntry(entry, { (e: Entry) throws(GovernanceError) in try TransactionReceiptEntry(e) },
                           names: { ($0.receipt.requestId, $0.executor) }, { (state: inout ReplicatedState, e) throws(GovernanceError) in try state.acceptReceipt(e) })
    }

    /// Checks an executor's receipt in this state, in order: the executor is an active bot with
    /// the `executor` role and its signature verifies; a transaction is planned under the id
    /// (a request's or a nonce cancellation's) and has no receipt yet; it was signed here and
    /// the receipt's transaction hash is Keccak-256 of that signed raw transaction or of one it
    /// replaced by a fee bump (so a receipt can only be of what this plan signed; the others at
    /// its nonce are then replaced); and it is not provably false: no more gas used than the
    /// transaction's gas limit, no higher effective gas price than its maximum fee. The receipt is then kept on the plan, which becomes
    /// `mined` (status 1) or `mined-reverted`, raising an alert when it differs from the intent
    /// (`raiseReceiptAlert`), with what differs from the intent
    /// (`PlannedTransaction.differences(from:)`: a status, token amount or recipient, an
    /// approval or ownership event nobody decided) as its mismatches. Where a governed cancellation gave the plan's nonce
    /// to a zero-value transaction, only one of the two can be mined at that nonce: a receipt of
    /// either makes the other `not-mined`. Window charges do not change: the transaction counted
    /// from its approval, and a reverted one's gas is no new charge.
    mutating func acceptReceipt(_ e: TransactionReceiptEntry) throws(GovernanceError) -> GovernanceOutcome {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the receipt is refused: \(reason)") }
        let r = e.receipt
        try authenticateExecutor(e.executor, signature: e.signature, what: "the receipt",
                                 signingInput: TransactionReceiptEntry.signingInput(
                                    payload: TransactionReceiptEntry.payload(r, executor: e.executor), genesisDigest: genesisDigest))
        guard let plan = transactions[r.requestId] else { throw GovernanceError(.unknownRequest, "no transaction is planned for request \(r.requestId)") }
        try checkExecutorEnvironment(e.executor, plan: plan)
        guard plan.receipt == nil else { throw refused("request \(r.requestId) already has a receipt (block \(plan.receipt!.blockNumber))") }
        // A plan replaced by a fee bump may be mined at its earlier hash while it signs again.
        let hashes = plan.signedHashes
        guard !hashes.isEmpty, plan.status == .signed || plan.status == .superseded
            || (!plan.replacedTransactions.isEmpty && (plan.status == .signing || plan.status == .outcomeUnknown))
        else {
            throw refused("request \(r.requestId) has no signed transaction to be mined (it is \(plan.status.rawValue))")
        }
        guard hashes.contains(r.transactionHash) else {
            throw refused("transaction 0x\(r.transactionHash.hexString) is not the one request \(r.requestId) signed ("
                + hashes.map { "0x" + $0.hexString }.joined(separator: " or ") + ")")
        }
        // A replaced transaction is held to its own gas limit and maximum fee (review helper-96 L1).
        let replaced = plan.replacedTransactions.firstIndex(of: r.transactionHash)
        if let p = replaced.flatMap({ $0 < plan.replacedParameters.count ? plan.replacedParameters[$0] : nil }) ?? plan.parameters {
            guard r.gasUsed <= p.gasLimit else { throw refused("it claims \(r.gasUsed) gas used, above the transaction's gas limit of \(p.gasLimit)") }
            guard r.effectiveGasPrice <= p.maxFeePerGas else {
                throw refused("it claims an effective gas price of \(r.effectiveGasPrice) wei, above the transaction's maximum fee of \(p.maxFeePerGas)")
            }
        }
        // Not compared with the simulation's block: that number is the executor's word too, and
        // one simulation at a made-up height would have every honest receipt refused (review
        // helper-97 M2).
        var mined = plan
        mined.receipt = r
        mined.receiptAt = time
        mined.status = r.succeeded ? .mined : .minedReverted
        mined.mismatches = plan.differences(from: r, tokens: tokenContracts(chain: plan.chain))
        if r.succeeded { mined.failure = nil } else { mined.failure = "the transaction was mined in block \(r.blockNumber) and reverted" }
        transactions[r.requestId] = mined
        raiseReceiptAlert(mined)
        let other = plan.cancels ?? transactions.cancellations.first { transactions[$0]?.cancels == r.requestId }
        if let other, var rival = transactions[other], rival.receipt == nil {
            rival.status = .notMined
            rival.failure = "transaction \(r.requestId) was mined at nonce \(plan.parameters?.nonce ?? plan.reservedNonce ?? 0) in block \(r.blockNumber), so this one never can be"
            transactions[other] = rival
        }
        return .mined(requestId: r.requestId, succeeded: r.succeeded)
    }
}
