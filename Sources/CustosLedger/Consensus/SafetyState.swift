import CustosCore

/// What a node must keep durably for the safety rules: the last block it voted for and the
/// committed head, bound to its cluster's genesis digest. A node persists it before it sends a
/// vote and together with every applied block; rebuilding `NodeConsensus` from it after a restart
/// keeps the promise "at most one vote per height".
public struct SafetyState: Sendable, Hashable {
    public let genesisDigest: LedgerHash
    /// The height and hash of the last block voted for; nil before the first vote.
    public internal(set) var lastVote: VotedBlock?
    public internal(set) var head: ChainHead

    public struct VotedBlock: Sendable, Hashable {
        public let height: UInt64
        public let blockHash: LedgerHash
        public init(height: UInt64, blockHash: LedgerHash) {
            self.height = height
            self.blockHash = blockHash
        }
    }

    public init(genesisDigest: LedgerHash, lastVote: VotedBlock?, head: ChainHead) {
        self.genesisDigest = genesisDigest
        self.lastVote = lastVote
        self.head = head
    }

    /// A fresh node: no vote, the genesis as head.
    public static func genesis(_ configuration: ClusterConfiguration) -> SafetyState {
        SafetyState(genesisDigest: configuration.genesisDigest, lastVote: nil, head: .genesis(configuration))
    }

    public var serialized: [UInt8] {
        var w = CanonicalWriter(kind: LedgerWire.Kind.safetyState)
        w.append(genesisDigest)
        if let lastVote {
            w.append(UInt8(1))
            w.append(lastVote.height)
            w.append(lastVote.blockHash)
        } else {
            w.append(UInt8(0))
        }
        w.append(head)
        return w.bytes
    }

    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        var r = try LedgerReader(bytes, kind: LedgerWire.Kind.safetyState, what: "safety state")
        genesisDigest = try r.hash("genesis digest")
        switch try r.uint8("vote flag") {
        case 0: lastVote = nil
        case 1: lastVote = VotedBlock(height: try r.uint64("voted height"), blockHash: try r.hash("voted hash"))
        case let other: throw r.fail("vote flag \(other) is neither 0 nor 1")
        }
        head = try r.chainHead("head")
        try r.finish()
    }
}
