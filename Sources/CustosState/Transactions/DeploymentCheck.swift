/// One voting member's reading of a deployment from its own endpoint (`DeploymentCheckEntry`),
/// as every node recorded it on the plan: whether it matched the request, and what differed.
public struct DeploymentCheck: Sendable, Hashable, Codable {
    /// The member (signer node) that read it.
    public let member: String
    public let codeHash: [UInt8]
    public let results: [[UInt8]?]
    /// What its reading shows that differs from the request (`PlannedTransaction.deploymentDifferences`); empty when it matched.
    public let differences: [ReceiptMismatch]
    /// The height of the block that carried it.
    public let height: UInt64

    public init(member: String, codeHash: [UInt8], results: [[UInt8]?], differences: [ReceiptMismatch], height: UInt64) {
        self.member = member
        self.codeHash = codeHash
        self.results = results
        self.differences = differences
        self.height = height
    }

    /// Whether the reading matched the request: the code byte for byte and every expected answer.
    public var matches: Bool { differences.isEmpty }
}
