import Crypto
import CustosCore

/// A member's signed promise to give up a round at a height: "over the committed head
/// `previousHash`, at `height` I cast no vote in round `round` or any earlier round from now on,
/// and the blocks I voted for at this height so far are exactly `votedBlocks`". A node signs it
/// for a proposal it gave up waiting on (an abstention when it never voted for that proposal),
/// persists it before sending it, and honours it: it never votes at that height in a round up to
/// `round` afterwards (`NodeConsensus`, "Rounds"). Binding the genesis digest, the height and
/// the previous hash keeps it from counting in another cluster or at another place in the chain.
public struct RoundChange: Sendable, Hashable, CustomStringConvertible {
    /// More distinct blocks than any honest node votes for at one height (`NodeConsensus`
    /// refuses a vote that would exceed it); bounds the encoding.
    public static let maximumVotedBlocks = 16
    static let domain = "custos.ledger.round-change.v1"

    public let voter: NodeID
    public let height: UInt64
    public let round: UInt32
    public let previousHash: LedgerHash
    /// Every block the voter voted for at `height`, in any round, sorted and without repeats.
    public let votedBlocks: [LedgerHash]
    public let signature: [UInt8]

    /// A round change as received; nothing is checked until `verify(in:)` (the block list is
    /// sorted and deduplicated here, as it is signed).
    public init(voter: NodeID, height: UInt64, round: UInt32, previousHash: LedgerHash, votedBlocks: [LedgerHash], signature: [UInt8]) {
        self.voter = voter
        self.height = height
        self.round = round
        self.previousHash = previousHash
        self.votedBlocks = Array(Set(votedBlocks)).sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        self.signature = signature
    }

    /// Signs a round change with the node's identity key.
    public init(signing height: UInt64, round: UInt32, previousHash: LedgerHash, votedBlocks: [LedgerHash],
                genesisDigest: LedgerHash, identity: NodeIdentity) {
        let unsigned = RoundChange(voter: identity.id, height: height, round: round, previousHash: previousHash,
                                   votedBlocks: votedBlocks, signature: [])
        self.init(voter: identity.id, height: height, round: round, previousHash: previousHash, votedBlocks: unsigned.votedBlocks,
                  signature: identity.sign(unsigned.message(genesisDigest: genesisDigest)))
    }

    /// The exact bytes a round change signs.
    func message(genesisDigest: LedgerHash) -> [UInt8] {
        var w = CanonicalWriter()
        w.append(raw: Self.domain.utf8)
        w.append(UInt8(0))
        w.append(genesisDigest)
        appendPromise(to: &w)
        return w.bytes
    }

    /// What is promised: height, round, previous hash, the voted blocks.
    private func appendPromise(to w: inout CanonicalWriter) {
        w.append(height)
        w.append(round)
        w.append(previousHash)
        w.append(UInt32(votedBlocks.count))
        for hash in votedBlocks { w.append(hash) }
    }

    /// Refuses a voter that is not a member and a signature that does not verify under the
    /// member's key for this cluster's genesis digest.
    public func verify(in configuration: ClusterConfiguration) throws(LedgerError) {
        guard let member = configuration.member(voter) else {
            throw LedgerError(.unknownMember, "round change by \(voter), who is not a member of \(configuration.name)", culprit: voter)
        }
        guard signature.count == Vote.signatureByteCount,
            member.publicKey.isValidSignature(signature, for: message(genesisDigest: configuration.genesisDigest))
        else {
            throw LedgerError(.invalidSignature, "round change by \(voter) at height \(height) round \(round): signature does not verify",
                              culprit: voter)
        }
    }

    public var description: String { "round-change(\(voter) @\(height)/\(round), voted \(votedBlocks.map(\.short)))" }

    // MARK: Encoding

    public var serialized: [UInt8] {
        var w = CanonicalWriter(kind: LedgerWire.Kind.roundChange)
        w.append(voter)
        appendPromise(to: &w)
        w.append(raw: signature)
        return w.bytes
    }

    /// Decodes strictly: refuses blocks out of order or repeated, more than `maximumVotedBlocks`,
    /// truncation and trailing bytes. The signature is checked by `verify`.
    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        var r = try LedgerReader(bytes, kind: LedgerWire.Kind.roundChange, what: "round change")
        let voter = try r.nodeID("voter")
        let (height, round, previousHash) = try r.roundPlace()
        let count = try r.count("voted block count", max: Self.maximumVotedBlocks)
        let blocks = try r.strictlyAscending(count, "voted blocks", by: { $0.bytes.lexicographicallyPrecedes($1.bytes) }) {
            (r: inout LedgerReader, i: Int) throws(LedgerError) in try r.hash("voted block \(i)")
        }
        let signature = Array(try r.read(Vote.signatureByteCount, "signature"))
        try r.finish()
        self.init(voter: voter, height: height, round: round, previousHash: previousHash, votedBlocks: blocks, signature: signature)
    }
}
