/// The policy's `alerts` section: how long, in block time, a signed transaction may go without a
/// recorded receipt on each chain before every node raises a `receipt-overdue` alert. A chain the
/// section does not name gets `receiptDeadlineSeconds` (30 minutes when the section is left out).
///
///     alerts:
///       receipt_deadline: 30m
///       receipt_deadline_by_chain: {ethereum: 1h, base: 10m}
public struct AlertPolicy: Sendable, Hashable {
    /// Seconds of block time after its signature by which a transaction's receipt is due.
    public var receiptDeadlineSeconds: Int
    /// Chains with their own deadline, in seconds (each chain must be a chain of an asset).
    public var receiptDeadlineByChain: [Spanned<String>: Int]

    /// The deadline of a policy without the section.
    public static let defaultReceiptDeadlineSeconds = 30 * 60
    /// The bounds a document may set: from a minute (a few blocks and confirmations) to a day.
    public static let receiptDeadlineRange = 60...(24 * 3600)

    public init(receiptDeadlineSeconds: Int = defaultReceiptDeadlineSeconds, receiptDeadlineByChain: [Spanned<String>: Int] = [:]) {
        self.receiptDeadlineSeconds = receiptDeadlineSeconds
        self.receiptDeadlineByChain = receiptDeadlineByChain
    }

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
