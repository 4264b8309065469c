/// Something every node found that people must look at, derived deterministically when a block
/// is applied, never posted by anyone: a receipt that differs from its intent, a transaction
/// mined and reverted, a signed transaction with no receipt by its chain's deadline, a
/// member's own reading of the chain that contradicts the executor's receipt, or an event on the
/// chain the policy's `monitoring` section watches that enough watchers reported.
public struct Alert: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// A receipt with mismatches (`PlannedTransaction.differences(from:)`) other than a revert alone.
        case receiptMismatch = "receipt-mismatch"
        /// A receipt of a transaction whose execution reverted (its gas was paid).
        case minedReverted = "mined-reverted"
        /// A signed transaction without a receipt past the policy's deadline for its chain
        /// (`alerts.receipt_deadline`): it may be stuck, dropped, or mined and not reported.
        case receiptOverdue = "receipt-overdue"
        /// A voting member read another receipt of the transaction from its own endpoint, or none,
        /// than the executor recorded (`ReceiptCheckEntry`); `members` names who disagreed.
        case receiptDisputed = "receipt-disputed"
        /// f+1 members read, at a deployment's address at its block, other code than the reviewed
        /// runtime code or another initial state than the request expects (`DeploymentCheckEntry`);
        /// `codes` names what differs and `members` who read it so.
        case deploymentMismatch = "deployment-mismatch"
        /// The rest are raised from the chain by what `poisoning.min_watchers` watchers reported
        /// (`MonitoredEvent`, the policy's `monitoring` section); these six by the log of the
        /// `ChainEventClass` of the same name.
        case ownershipTransferred = "ownership-transferred", proxyUpgraded = "proxy-upgraded", adminChanged = "admin-changed"
        case beaconUpgraded = "beacon-upgraded", safeOwnersChanged = "safe-owners-changed", roleGranted = "role-granted"
        /// An ERC-20 `Transfer` out of a treasury address above the policy's bound.
        case largeTransfer = "large-transfer"
        /// A contract creation sent from a vault address.
        case vaultDeployment = "vault-deployment"
        /// A transaction sent from a vault address whose hash is no transaction the log signed.
        case unsignedVaultTransaction = "unsigned-vault-transaction"
        /// The watchers' coverage of a chain fell more than `monitoring.alert_within_blocks`
        /// behind the block as many watchers reached.
        case monitoringLagging = "monitoring-lagging"
    }

    /// The kinds raised from receipts.
    public static let receiptKinds: [Kind] = [.receiptMismatch, .minedReverted, .receiptOverdue, .receiptDisputed]

    /// Whose word an alert rests on: `reported` by the executor bot alone, whose receipt every
    /// node checked against the signed transaction but could not read from the chain itself.
    public enum Basis: String, Sendable, Hashable, Codable {
        case reported
        /// The executor's receipt, read the same from the chain by f+1 members (`ReceiptVerdict.confirmed`):
        /// at least one honest node saw it.
        case confirmed
        /// Members' own readings of the chain (a `receipt-disputed` alert).
        case checked
        /// Raised by the block time alone (an overdue receipt): nobody's word.
        case blockTime = "block-time"
        /// Reported the same by `poisoning.min_watchers` current watchers (`members` names
        /// them), in a block their coverage includes: a monitoring alert.
        case watched
    }

    /// 1 for the first alert of the cluster, then one more each.
    public let id: UInt64
    public let kind: Kind
    public let requestId: String
    public let vault: String
    public let chain: String
    /// The transaction's hash (Keccak-256 of its signed raw form).
    public let transactionHash: [UInt8]
    /// The receipt's mismatches; empty for an overdue receipt.
    public let codes: [ReceiptMismatch.Code]
    public internal(set) var basis: Basis
    /// For `receipt-disputed`: the members whose reading disagreed, in the order they said so;
    /// for a monitoring alert, the watchers whose reports raised it.
    public internal(set) var members: [String]
    /// For a monitoring alert: the event (contract, block, transaction, decoded fields); nil for a receipt's.
    public let event: MonitoredEvent?
    /// The height and block time of the block whose application raised it.
    public let height: UInt64
    public let blockTime: UInt64

    public init(id: UInt64, kind: Kind, requestId: String, vault: String, chain: String, transactionHash: [UInt8], codes: [ReceiptMismatch.Code],
                basis: Basis, members: [String] = [], event: MonitoredEvent? = nil, height: UInt64, blockTime: UInt64) {
        self.id = id
        self.kind = kind
        self.requestId = requestId
        self.vault = vault
        self.chain = chain
        self.transactionHash = transactionHash
        self.codes = codes
        self.basis = basis
        self.members = members
        self.event = event
        self.height = height
        self.blockTime = blockTime
    }
}
