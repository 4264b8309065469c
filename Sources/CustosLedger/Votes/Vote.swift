import Crypto
import CustosCore

/// A member's vote for one block in one round at one height: an Ed25519 signature by its identity
/// key over the domain tag, the cluster's genesis digest, the height, the round (from round 1 on),
/// the block hash and the previous hash (DESIGN.md, "The replicated log" rule 2). Binding the
/// genesis digest, the height and the round keeps a vote from counting in another cluster, at
/// another height or in another round. Round 0 is the first proposal at a height; its votes are
/// signed and encoded exactly as before rounds existed, so every stored vote stays valid.
public struct Vote: Sendable, Hashable, CustomStringConvertible {
    public static let signatureByteCount = 64
    static let domain = "custos.ledger.vote.v1"
    /// The domain of votes in rounds after the first; round 0 keeps `domain`.
    static let roundDomain = "custos.ledger.vote.v2"

    public let voter: NodeID
    public let height: UInt64
    /// The round at `height` this vote is cast in (`NodeConsensus`, "Rounds").
    public let round: UInt32
    public let blockHash: LedgerHash
    public let previousHash: LedgerHash
    public let signature: [UInt8]

    /// A vote as received; nothing is checked until `verify(in:)`.
    public init(voter: NodeID, height: UInt64, round: UInt32 = 0, blockHash: LedgerHash, previousHash: LedgerHash, signature: [UInt8]) {
        self.voter = voter
        self.height = height
        self.round = round
        self.blockHash = blockHash
        self.previousHash = previousHash
        self.signature = signature
    }

    /// Signs a vote for `block` in `round` with the node's identity key.
    public init(signing block: Block, round: UInt32 = 0, genesisDigest: LedgerHash, identity: NodeIdentity) {
        let message = Self.message(genesisDigest: genesisDigest, height: block.height, round: round, blockHash: block.hash,
                                   previousHash: block.previousHash)
        self.init(voter: identity.id, height: block.height, round: round, blockHash: block.hash, previousHash: block.previousHash,
                  signature: identity.sign(message))
    }

    /// The exact bytes a vote signs.
    public static func message(genesisDigest: LedgerHash, height: UInt64, round: UInt32 = 0, blockHash: LedgerHash,
                               previousHash: LedgerHash) -> [UInt8] {
        let tag = round == 0 ? domain : roundDomain
        var w = CanonicalWriter()
        w.reserve(tag.utf8.count + 1 + 32 + 8 + 4 + 32 + 32)
        w.append(raw: tag.utf8)
        w.append(UInt8(0))
        w.append(genesisDigest)
        w.append(height)
        if round > 0 { w.append(round) }
        w.append(blockHash)
        w.append(previousHash)
        return w.bytes
    }

    /// Refuses a voter that is not a member and a signature that does not verify under the
    /// member's key for this cluster's genesis digest.
    public func verify(in configuration: ClusterConfiguration) throws(LedgerError) {
        guard let member = configuration.member(voter) else {
            throw LedgerError(.unknownMember, "vote by \(voter), who is not a member of \(configuration.name)", culprit: voter)
        }
        let message = Self.message(genesisDigest: configuration.genesisDigest, height: height, round: round, blockHash: blockHash,
                                   previousHash: previousHash)
        guard signature.count == Self.signatureByteCount,
            member.publicKey.isValidSignature(signature, for: message)
        else {
            throw LedgerError(.invalidSignature, "vote by \(voter) at height \(height) for \(blockHash.short): signature does not verify", culprit: voter)
        }
    }

    public var description: String { "vote(\(voter) @\(height)\(round == 0 ? "" : "/\(round)") \(blockHash.short))" }

    // MARK: Encoding

    /// Round 0 in the original layout; later rounds under their own kind tag, the round after the height.
    public var serialized: [UInt8] {
        var w = CanonicalWriter(kind: round == 0 ? LedgerWire.Kind.vote : LedgerWire.Kind.roundVote)
        w.append(voter)
        w.append(height)
        if round > 0 { w.append(round) }
        w.append(blockHash)
        w.append(previousHash)
        w.append(raw: signature)
        return w.bytes
    }

    /// Decodes strictly (no trailing bytes); the signature is not checked here.
    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        let later = LedgerWire.kind(of: bytes) == LedgerWire.Kind.roundVote
        var r = try LedgerReader(bytes, kind: later ? LedgerWire.Kind.roundVote : LedgerWire.Kind.vote, what: "vote")
        let voter = try r.nodeID("voter")
        let height = try r.uint64("height")
        let round: UInt32 = try later ? r.uint32("round") : 0
        // One encoding per value: a later-round vote never says round 0.
        guard !later || round > 0 else { throw r.fail("a later-round vote in round 0") }
        let blockHash = try r.hash("block hash")
        let previousHash = try r.hash("previous hash")
        let signature = Array(try r.read(Self.signatureByteCount, "signature"))
        try r.finish()
        self.init(voter: voter, height: height, round: round, blockHash: blockHash, previousHash: previousHash, signature: signature)
    }
}
