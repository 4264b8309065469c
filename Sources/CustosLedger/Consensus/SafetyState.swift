import CustosCore

/// What a node must keep durably for the safety rules: its votes at the height above the
/// committed head (one per round), the last round it gave up there, and the committed head,
/// bound to its cluster's genesis digest. A node persists it before it sends a vote or a round
/// change and together with every applied block; rebuilding `NodeConsensus` from it after a
/// restart keeps the promises "at most one vote per round" and "no vote in a round given up".
public struct SafetyState: Sendable, Hashable {
    public let genesisDigest: LedgerHash
    /// The node's votes at the height it last voted at, in ascending rounds.
    public internal(set) var votes: [VotedBlock]
    /// The last round change this node signed; it votes in no round up to it at that height.
    public internal(set) var roundChange: AbandonedRound?
    public internal(set) var head: ChainHead

    public struct VotedBlock: Sendable, Hashable {
        public let height: UInt64
        public let round: UInt32
        public let blockHash: LedgerHash
        public init(height: UInt64, round: UInt32 = 0, blockHash: LedgerHash) {
            self.height = height
            self.round = round
            self.blockHash = blockHash
        }
    }

    /// A height and the highest round given up there.
    public struct AbandonedRound: Sendable, Hashable {
        public let height: UInt64
        public let round: UInt32
        public init(height: UInt64, round: UInt32) {
            self.height = height
            self.round = round
        }
    }

    /// Keeps only the votes at the highest height among `votes`, in ascending rounds.
    public init(genesisDigest: LedgerHash, votes: [VotedBlock], roundChange: AbandonedRound? = nil, head: ChainHead) {
        self.genesisDigest = genesisDigest
        let top = votes.map(\.height).max()
        self.votes = votes.filter { $0.height == top }.sorted { $0.round < $1.round }
        self.roundChange = roundChange
        self.head = head
    }

    /// A state with at most one vote on record (from before rounds, or in tests).
    public init(genesisDigest: LedgerHash, lastVote: VotedBlock?, head: ChainHead) {
        self.init(genesisDigest: genesisDigest, votes: lastVote.map { [$0] } ?? [], head: head)
    }

    /// A fresh node: no vote, the genesis as head.
    public static func genesis(_ configuration: ClusterConfiguration) -> SafetyState {
        SafetyState(genesisDigest: configuration.genesisDigest, votes: [], head: .genesis(configuration))
    }

    /// The vote in the highest round at the height last voted at; nil before the first vote.
    public var lastVote: VotedBlock? { votes.last }

    /// The votes at `height`, in ascending rounds.
    public func votes(at height: UInt64) -> [VotedBlock] { votes.filter { $0.height == height } }

    /// The highest round given up at `height`, nil if none.
    public func abandonedRound(at height: UInt64) -> UInt32? { roundChange.flatMap { $0.height == height ? $0.round : nil } }

    mutating func record(_ vote: VotedBlock) {
        if let top = votes.last?.height, top != vote.height { votes = [] }
        votes.append(vote)
        votes.sort { $0.round < $1.round }
    }

    public var serialized: [UInt8] {
        var w = CanonicalWriter(kind: LedgerWire.Kind.safetyState)
        w.append(genesisDigest)
        w.append(UInt32(votes.count))
        for vote in votes {
            w.append(vote.height)
            w.append(vote.round)
            w.append(vote.blockHash)
        }
        if let roundChange {
            w.append(UInt8(1))
            w.append(roundChange.height)
            w.append(roundChange.round)
        } else {
            w.append(UInt8(0))
        }
        w.append(head)
        return w.bytes
    }

    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        var r = try LedgerReader(bytes, kind: LedgerWire.Kind.safetyState, what: "safety state")
        genesisDigest = try r.hash("genesis digest")
        let count = try r.count("vote count", max: RoundChange.maximumVotedBlocks * 64)
        var votes: [VotedBlock] = []
        for i in 0..<count {
            let vote = VotedBlock(height: try r.uint64("vote \(i) height"), round: try r.uint32("vote \(i) round"),
                                  blockHash: try r.hash("vote \(i) hash"))
            if let last = votes.last, last.height != vote.height || last.round >= vote.round {
                throw r.fail("vote \(i) is not at the same height in a higher round")
            }
            votes.append(vote)
        }
        self.votes = votes
        switch try r.uint8("round change flag") {
        case 0: roundChange = nil
        case 1: roundChange = AbandonedRound(height: try r.uint64("abandoned height"), round: try r.uint32("abandoned round"))
        case let other: throw r.fail("round change flag \(other) is neither 0 nor 1")
        }
        head = try r.chainHead("head")
        try r.finish()
    }
}
