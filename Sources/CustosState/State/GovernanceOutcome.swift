import CustosPolicy

/// What applying one log entry did.
public enum GovernanceOutcome: Sendable, Hashable {
    /// The entry was applied; the operation is now in `status`.
    case applied(operationId: String, status: PendingOperation.Status)
    /// The entry changed nothing but the refusal record; the error says why.
    case refused(GovernanceError)
    /// A bot's request verified and was decided; `ReplicatedState.requestBook.requests[requestId]` holds it
    /// with the full decision.
    case requestDecided(requestId: String, outcome: PolicyDecision.Outcome)
    /// A person's approval or rejection of a request held for approvals was applied; the
    /// request's approvals are now in `status` (`RecordedRequest.approvals`).
    case requestApprovals(requestId: String, status: RequestApprovals.Status)
    /// A person's batch approval (`RequestBatchApproval`) was applied to every listed request;
    /// each is now in the status at the same index.
    case requestBatchApprovals(requestIds: [String], statuses: [RequestApprovals.Status])
    /// A node's ceremony entry was applied; the vault is now in `status`.
    case vault(id: String, status: Vault.Status)
    /// A request's signature was verified and recorded (`ReplicatedState.signing[requestId]`).
    case signed(requestId: String)
    /// A price bot's price was verified and kept (`ReplicatedState.prices`).
    case priced(asset: String, source: String)
    /// A watcher's report was verified and kept (`ReplicatedState.watch`): it read `chain` up to
    /// `block` and flagged `flagged` counterparties not flagged before.
    case watched(chain: String, block: UInt64, flagged: Int)
    /// An executor's transaction parameters were checked and accepted: the transaction was
    /// built at `nonce` and its signing started (`ReplicatedState.transactions[requestId]`).
    case transactionParameters(requestId: String, nonce: UInt64)
    /// An executor's simulation of a planned transaction was checked and kept; a revert of an
    /// allowed request ended it (`PlannedTransaction.Status.revertedInSimulation`).
    case simulated(requestId: String, outcome: TransactionSimulation.Outcome)
    /// An executor's receipt of a signed transaction was checked and kept: it was mined, and
    /// execution `succeeded` or reverted.
    case mined(requestId: String, succeeded: Bool)
    /// A member's reading of a recorded receipt was checked and kept: it `agrees` with the
    /// executor's or not; `verdict` is the receipt's once f+1 checks settled it.
    case receiptChecked(requestId: String, agrees: Bool, verdict: ReceiptVerdict?)
    /// A member's reading of a deployment was recorded; `verdict` when it settled the deployment.
    case deploymentChecked(requestId: String, matches: Bool, verdict: DeploymentVerdict?)
    /// A restored member's `node.restored` entry verified: `member` announced the restore that drew
    /// `nonce` (`NodeRestoredEntry`).
    case nodeRestored(member: String, nonce: [UInt8])
    /// A member's attestation of an attempt of a vault with an offline share was recorded.
    case offlineAttested(requestId: String, attempt: UInt32, member: String)
    /// The offline signer's answer to an attempt was taken (`valid`), or its share did not verify
    /// and the attempt ended.
    case offlineAnswered(requestId: String, attempt: UInt32, valid: Bool)
}
