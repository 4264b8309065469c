/// Evidence that the gateway proposed two different blocks in one round at one height: this
/// node voted for `votedHash` and was then asked to vote for `conflictingHash`. The node refuses;
/// the operator must be told (DESIGN.md threat model: equivocation is detected and halts).
public struct EquivocationAlert: Sendable, Hashable, CustomStringConvertible {
    public let height: UInt64
    public let round: UInt32
    public let votedHash: LedgerHash
    public let conflictingHash: LedgerHash

    public init(height: UInt64, round: UInt32 = 0, votedHash: LedgerHash, conflictingHash: LedgerHash) {
        self.height = height
        self.round = round
        self.votedHash = votedHash
        self.conflictingHash = conflictingHash
    }

    public var description: String {
        "gateway equivocation at height \(height)\(round == 0 ? "" : " round \(round)"): voted for \(votedHash), asked to vote for \(conflictingHash)"
    }
}
