import CustosCore

/// Proof that a block is committed: at least q = ⌈(n+f+1)/2⌉ valid votes from distinct members
/// for the same (height, round, block hash, previous hash) (DESIGN.md, "The replicated log"
/// rule 3). Votes of different rounds never add up: a node may vote once in every round.
public struct QuorumCertificate: Sendable, Hashable {
    public let height: UInt64
    /// The round the votes were cast in; 0 for the first proposal at `height`.
    public let round: UInt32
    public let blockHash: LedgerHash
    public let previousHash: LedgerHash
    /// The votes, sorted by voter.
    public let votes: [Vote]

    /// A certificate as received or assembled; nothing is checked until `verify`.
    public init(height: UInt64, round: UInt32 = 0, blockHash: LedgerHash, previousHash: LedgerHash, votes: [Vote]) {
        self.height = height
        self.round = round
        self.blockHash = blockHash
        self.previousHash = previousHash
        self.votes = votes.sorted { $0.voter < $1.voter }
    }

    /// Assembles and verifies a certificate from votes for one block.
    public init(votes: [Vote], configuration: ClusterConfiguration) throws(LedgerError) {
        guard let first = votes.first else {
            throw LedgerError(.insufficientVotes, "no votes; \(configuration.quorum) needed")
        }
        self.init(height: first.height, round: first.round, blockHash: first.blockHash, previousHash: first.previousHash, votes: votes)
        try verify(in: configuration)
    }

    public var voters: [NodeID] { votes.map(\.voter) }

    /// Refuses votes for another height, round, block or previous hash (mixed votes), duplicate voters,
    /// non-members, invalid signatures, and fewer than q votes — in that order of blame, naming
    /// the first culprit.
    public func verify(in configuration: ClusterConfiguration) throws(LedgerError) {
        var seen: Set<NodeID> = []
        for vote in votes {
            guard vote.height == height, vote.round == round, vote.blockHash == blockHash, vote.previousHash == previousHash else {
                throw LedgerError(.mismatchedVote, "certificate for height \(height) \(blockHash.short) holds \(vote)", culprit: vote.voter)
            }
            guard seen.insert(vote.voter).inserted else {
                throw LedgerError(.duplicateVoter, "\(vote.voter) is counted twice in the certificate for height \(height)", culprit: vote.voter)
            }
        }
        for vote in votes { try vote.verify(in: configuration) }
        guard votes.count >= configuration.quorum else {
            throw LedgerError(.insufficientVotes, "certificate for height \(height) has \(votes.count) votes; \(configuration.quorum) needed (n = \(configuration.n), f = \(configuration.f))")
        }
    }

    /// Verifies the certificate and that it certifies exactly `block`.
    public func verify(for block: Block, in configuration: ClusterConfiguration) throws(LedgerError) {
        guard height == block.height, blockHash == block.hash, previousHash == block.previousHash else {
            throw LedgerError(.mismatchedVote, "certificate for height \(height) \(blockHash.short) does not certify block \(block.height) \(block.hash.short)")
        }
        try verify(in: configuration)
    }

    // MARK: Encoding

    /// Height, (from round 1 on, under its own kind tag) the round, hashes, then (voter, signature)
    /// pairs in strictly ascending voter order. Round 0 keeps the layout from before rounds.
    public var serialized: [UInt8] {
        var w = CanonicalWriter(kind: round == 0 ? LedgerWire.Kind.certificate : LedgerWire.Kind.roundCertificate)
        w.append(height)
        if round > 0 { w.append(round) }
        w.append(blockHash)
        w.append(previousHash)
        w.append(UInt32(votes.count))
        for v in votes {
            w.append(v.voter)
            w.append(raw: v.signature)
        }
        return w.bytes
    }

    /// Decodes strictly: refuses voters out of order or repeated, counts above the member limit,
    /// truncation and trailing bytes. Signatures are checked by `verify`.
    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        let later = LedgerWire.kind(of: bytes) == LedgerWire.Kind.roundCertificate
        var r = try LedgerReader(bytes, kind: later ? LedgerWire.Kind.roundCertificate : LedgerWire.Kind.certificate, what: "quorum certificate")
        let height = try r.uint64("height")
        let round: UInt32 = try later ? r.uint32("round") : 0
        guard !later || round > 0 else { throw r.fail("a later-round certificate in round 0") }
        let blockHash = try r.hash("block hash")
        let previousHash = try r.hash("previous hash")
        let count = try r.count("vote count", max: ClusterConfiguration.maximumMembers)
        var votes: [Vote] = []
        votes.reserveCapacity(count)
        for i in 0..<count {
            let voter = try r.nodeID("vote \(i) voter")
            if let last = votes.last, !(last.voter < voter) {
                throw r.fail("voters are not in strictly ascending order at \(voter)")
            }
            let signature = Array(try r.read(Vote.signatureByteCount, "vote \(i) signature"))
            votes.append(Vote(voter: voter, height: height, round: round, blockHash: blockHash, previousHash: previousHash, signature: signature))
        }
        try r.finish()
        self.init(height: height, round: round, blockHash: blockHash, previousHash: previousHash, votes: votes)
    }
}
