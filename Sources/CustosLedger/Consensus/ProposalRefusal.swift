/// Why a node did not vote for a proposed block.
public enum ProposalRefusal: Sendable, Hashable, CustomStringConvertible {
    /// The height is already committed.
    case alreadyCommitted(height: UInt64, committedHeight: UInt64)
    /// Not the next height: the node must catch up (or the proposal is from the future).
    case notNext(height: UInt64, expected: UInt64)
    /// The block does not extend the committed head.
    case wrongPreviousHash(expected: LedgerHash, got: LedgerHash)
    /// The block's time is more than the allowed skew ahead of the node's clock.
    case timestampAhead(block: UInt64, clock: UInt64, maximumSkew: UInt64)
    /// The block's time is more than the allowed skew behind the node's clock.
    case timestampBehind(block: UInt64, clock: UInt64, maximumSkew: UInt64)
    /// The block's time is before its predecessor's.
    case timestampBeforePrevious(block: UInt64, previous: UInt64)
    /// The entry validator refused an entry.
    case entryRejected(index: Int, kind: String, reason: String)
    /// This node is not a voting member at this height (not yet added, or removed).
    case notAMember(height: UInt64)
    /// This node gave up this round (or a later one) at this height: it votes in no round up to `abandoned`.
    case roundAbandoned(height: UInt64, round: UInt32, abandoned: UInt32)
    /// This node already voted in a later round at this height.
    case staleRound(height: UInt64, round: UInt32, voted: UInt32)
    /// A later round without a round-change certificate for the round before it that allows this block.
    case unjustified(height: UInt64, round: UInt32, reason: String)
    /// This node voted for `RoundChange.maximumVotedBlocks` different blocks at this height already.
    case tooManyBlocks(height: UInt64)

    public var description: String {
        switch self {
        case let .alreadyCommitted(height, committed): "height \(height) is at or below the committed height \(committed)"
        case let .notNext(height, expected): "height \(height) is not the next height \(expected)"
        case let .wrongPreviousHash(expected, got): "previous hash \(got.short) is not the committed head \(expected.short)"
        case let .timestampAhead(block, clock, skew): "block time \(block) ms is more than \(skew) ms ahead of this node's clock \(clock) ms"
        case let .timestampBehind(block, clock, skew): "block time \(block) ms is more than \(skew) ms behind this node's clock \(clock) ms"
        case let .timestampBeforePrevious(block, previous): "block time \(block) ms is before the previous block's \(previous) ms"
        case let .entryRejected(index, kind, reason): "entry \(index) (\(kind)) refused: \(reason)"
        case let .notAMember(height): "this node is not a voting member at height \(height); it follows the chain only"
        case let .roundAbandoned(height, round, abandoned): "round \(round) at height \(height) is given up (up to round \(abandoned))"
        case let .staleRound(height, round, voted): "round \(round) at height \(height) is older than round \(voted) this node voted in"
        case let .unjustified(height, round, reason): "round \(round) at height \(height) is not justified: \(reason)"
        case let .tooManyBlocks(height): "this node voted for \(RoundChange.maximumVotedBlocks) different blocks at height \(height) already"
        }
    }
}
