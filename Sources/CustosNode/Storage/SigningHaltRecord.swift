/// Why a node signs nothing until someone acts: a durable record in its `NodeDatabase`, one per
/// cause, kept across restarts until lifted. While any is on record the node releases no key
/// material of any kind (shares, nonces, presignatures, ceremony messages); it still votes.
public struct SigningHaltRecord: Sendable, Hashable, Codable {
    /// What halted signing, and so who may lift it.
    public enum Cause: String, Sendable, Hashable, Codable, CaseIterable {
        /// The node holds proof that the gateway proposed two blocks in one round at one height; an operator
        /// on the node's host lifts it (`custos node resume --acknowledge-equivocation`).
        case gatewayEquivocation = "gateway-equivocation"
        /// A security officer froze this node on its host (`custos node freeze`, evidence: their
        /// `LocalFreeze`); lifted by the node itself when the quorum unfreezes in the log at a
        /// height above `height`.
        case localFreeze = "local-freeze"
        /// The node was restored from a backup, which carries neither its halts nor its local
        /// freezes; an operator on its host lifts it (`custos node resume --acknowledge-restore`)
        /// once they know none was in force, so a restore never silently ends a halt.
        case restored
        /// A `node.restored` entry in this node's name, not of this node's own restore, committed:
        /// its identity runs elsewhere (a copy restored from a backup), and two copies of one
        /// member voting on their own records could vote twice. It votes no more either
        /// (`NodeDatabase.recordVote` refuses), and nothing lifts it: the copy restored elsewhere
        /// is the member now.
        case restoredElsewhere = "restored-elsewhere"
    }

    public let cause: Cause
    /// The node's committed height when it halted.
    public let height: UInt64
    /// Milliseconds since the Unix epoch, by the node's clock.
    public let since: UInt64
    /// One line for operators: what was seen, naming the height and hashes.
    public let reason: String
    /// The evidence as the node holds it (for an equivocation: the conflicting block and the
    /// node's own recorded vote; for a local freeze: the officer's `LocalFreeze`, JSON), public data.
    public let evidence: [UInt8]

    public init(cause: Cause, height: UInt64, since: UInt64, reason: String, evidence: [UInt8]) {
        self.cause = cause
        self.height = height
        self.since = since
        self.reason = reason
        self.evidence = evidence
    }
}
