/// The policy's `alerts` section: how long, in block time, a signed transaction may go without a
/// recorded receipt on each chain before every node raises a `receipt-overdue` alert (a chain the
/// section does not name gets `receiptDeadlineSeconds`, 30 minutes when the section is left out),
/// and which alerts freeze signing once f+1 nodes' own reading of the chain confirms them
/// (`freeze_on`, none when left out).
///
///     alerts:
///       receipt_deadline: 30m
///       receipt_deadline_by_chain: {ethereum: 1h, base: 10m}
///       freeze_on: [receipt-mismatch, mined-reverted, receipt-disputed]
public struct AlertPolicy: Sendable, Hashable {
    /// Seconds of block time after its signature by which a transaction's receipt is due.
    public var receiptDeadlineSeconds: Int
    /// Chains with their own deadline, in seconds (each chain must be a chain of an asset).
    public var receiptDeadlineByChain: [Spanned<String>: Int]
    /// The alert kinds (of `freezeClasses`) that freeze signing on every node, in the transition
    /// that settles them: a receipt mismatch or revert once f+1 nodes read the same receipt from
    /// their own endpoints, a dispute once f+1 read another. What the executor alone reported never freezes.
    public var freezeOn: Set<String>

    /// The deadline of a policy without the section.
    public static let defaultReceiptDeadlineSeconds = 30 * 60
    /// The bounds a document may set: from a minute (a few blocks and confirmations) to a day.
    public static let receiptDeadlineRange = 60...(24 * 3600)
    /// What `freeze_on` may name: `receipt-mismatch` (a confirmed receipt differs from the intent:
    /// a transfer, approval or authority change nobody decided, an unreadable log, too many logs),
    /// `mined-reverted` (a confirmed revert) and `receipt-disputed` (f+1 nodes read another receipt
    /// than the executor's, or none) and `deployment-mismatch` (f+1 nodes read other code or
    /// another initial state at a deployment's address than its request expects).
    /// Also the alerts of `monitoring` (`ChainEventClass`, `large-transfer`, `vault-deployment`,
    /// `unsigned-vault-transaction` and `monitoring-lagging`), which rest on `poisoning.min_watchers`
    /// watchers' reports and freeze in the transition that raises them.
    public static let freezeClasses = ["receipt-mismatch", "mined-reverted", "receipt-disputed", "deployment-mismatch"] + ChainEventClass.allCases.map(\.rawValue)
        + ["large-transfer", "vault-deployment", "unsigned-vault-transaction", "monitoring-lagging"]

    public init(receiptDeadlineSeconds: Int = defaultReceiptDeadlineSeconds, receiptDeadlineByChain: [Spanned<String>: Int] = [:],
                freezeOn: Set<String> = []) {
        self.receiptDeadlineSeconds = receiptDeadlineSeconds
        self.receiptDeadlineByChain = receiptDeadlineByChain
        self.freezeOn = freezeOn
    }

    /// The freeze classes in words, for a diff: `none`, or the classes by name.
    public var freezeOnText: String { freezeOn.isEmpty ? "none" : freezeOn.sorted().joined(separator: ", ") }

    /// The receipt deadline on `chain`, in milliseconds of block time.
    public func receiptDeadlineMillis(chain: String) -> UInt64 {
        UInt64(receiptDeadlineByChain.first { $0.key.value == chain }?.value ?? receiptDeadlineSeconds) * 1000
    }

    /// The deadlines in words, for a diff: `1800 s`, then each chain's (`; ethereum 600 s`), by chain name.
    public var receiptDeadlineText: String {
        (["\(receiptDeadlineSeconds) s"] + receiptDeadlineByChain.sorted { $0.key.value < $1.key.value }.map { "\($0.key.value) \($0.value) s" })
            .joined(separator: "; ")
    }
}
