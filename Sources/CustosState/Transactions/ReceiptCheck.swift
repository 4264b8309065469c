/// One voting member's reading of a recorded receipt from its own chain endpoint
/// (`ReceiptCheckEntry`), as every node recorded it on the plan.
public struct ReceiptCheck: Sendable, Hashable, Codable {
    /// The member (signer node) that read it.
    public let member: String
    /// `TransactionReceipt.digest` of the receipt it read; nil when its endpoint, past the
    /// receipt's block, holds no receipt of the transaction.
    public let digest: [UInt8]?
    /// Whether `digest` is the recorded receipt's.
    public let agrees: Bool
    /// The height of the block that carried it.
    public let height: UInt64

    public init(member: String, digest: [UInt8]?, agrees: Bool, height: UInt64) {
        self.member = member
        self.digest = digest
        self.agrees = agrees
        self.height = height
    }
}
