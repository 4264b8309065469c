/// A block proposed at its height in a round: round 0 is the first proposal there; a later round
/// carries the round-change certificate that ended the round before it, which says whether this
/// block may be proposed (`NodeConsensus`, "Rounds").
public struct Proposal: Sendable, Hashable {
    public let block: Block
    public let round: UInt32
    /// Nil in round 0; the certificate for round `round − 1` otherwise.
    public let justification: RoundChangeCertificate?

    public init(block: Block, round: UInt32 = 0, justification: RoundChangeCertificate? = nil) {
        self.block = block
        self.round = round
        self.justification = justification
    }
}
