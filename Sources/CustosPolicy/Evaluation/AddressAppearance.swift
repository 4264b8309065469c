/// The first zero-value or dust transfer a watcher reported between a vault address and a
/// counterparty on one chain (the address-poisoning pattern, `PoisoningPolicy`): what makes
/// the counterparty "poisoned" until the quorum clears it.
public struct AddressAppearance: Sendable, Hashable, Codable {
    /// Block time (seconds) of the log entry that reported it.
    public var reportedAt: Int64
    /// The vault address the transfer went to or came from.
    public var vaultAddress: String
    /// Whether the counterparty sent it (true) or received it (false).
    public var incoming: Bool
    /// The transfer in words: amount and asset, or the unregistered token contract.
    public var transfer: String
    /// The chain's block number and transaction hash the watcher read it from.
    public var block: UInt64
    public var transaction: String
    /// The watcher bot whose report it came from (empty when unknown, as in a snapshot written
    /// by hand).
    public var reporter: String

    public init(
        reportedAt: Int64, vaultAddress: String, incoming: Bool, transfer: String, block: UInt64, transaction: String, reporter: String = ""
    ) {
        self.reporter = reporter
        self.reportedAt = reportedAt
        self.vaultAddress = vaultAddress
        self.incoming = incoming
        self.transfer = transfer
        self.block = block
        self.transaction = transaction
    }
}
