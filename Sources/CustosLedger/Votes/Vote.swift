import Crypto
import CustosCore

/// A member's vote for one block: an Ed25519 signature by its identity key over the domain tag,
/// the cluster's genesis digest, the height, the block hash and the previous hash (DESIGN.md,
/// "The replicated log" rule 2). Binding the genesis digest and the height keeps a vote from
/// counting in another cluster or at another height.
public struct Vote: Sendable, Hashable, CustomStringConvertible {
    public static let signatureByteCount = 64
    static let domain = "custos.ledger.vote.v1"

    public let voter: NodeID
    public let height: UInt64
    public let blockHash: LedgerHash
    public let previousHash: LedgerHash
    public let signature: [UInt8]

    /// A vote as received; nothing is checked until `verify(in:)`.
    public init(voter: NodeID, height: UInt64, blockHash: LedgerHash, previousHash: LedgerHash, signature: [UInt8]) {
        self.voter = voter
        self.height = height
        self.blockHash = blockHash
        self.previousHash = previousHash
        self.signature = signature
    }

    /// Signs a vote for `block` with the node's identity key.
    public init(signing block: Block, genesisDigest: LedgerHash, identity: NodeIdentity) {
        let message = Self.message(genesisDigest: genesisDigest, height: block.height, blockHash: block.hash, previousHash: block.previousHash)
        self.init(voter: identity.id, height: block.height, blockHash: block.hash, previousHash: block.previousHash,
                  signature: identity.sign(message))
    }

    /// The exact bytes a vote signs.
    public static func message(genesisDigest: LedgerHash, height: UInt64, blockHash: LedgerHash, previousHash: LedgerHash) -> [UInt8] {
        var w = CanonicalWriter()
        w.reserve(domain.utf8.count + 1 + 32 + 8 + 32 + 32)
        w.append(raw: domain.utf8)
        w.append(UInt8(0))
        w.append(genesisDigest)
        w.append(height)
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
        let message = Self.message(genesisDigest: configuration.genesisDigest, height: height, blockHash: blockHash, previousHash: previousHash)
        guard signature.count == Self.signatureByteCount,
            member.publicKey.isValidSignature(signature, for: message)
        else {
            throw LedgerError(.invalidSignature, "vote by \(voter) at height \(height) for \(blockHash.short): signature does not verify", culprit: voter)
        }
    }

    public var description: String { "vote(\(voter) @\(height) \(blockHash.short))" }

    // MARK: Encoding

    public var serialized: [UInt8] {
        var w = CanonicalWriter(kind: LedgerWire.Kind.vote)
        w.append(voter)
        w.append(height)
        w.append(blockHash)
        w.append(previousHash)
        w.append(raw: signature)
        return w.bytes
    }

    /// Decodes strictly (no trailing bytes); the signature is not checked here.
    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        var r = try LedgerReader(bytes, kind: LedgerWire.Kind.vote, what: "vote")
        let voter = try r.nodeID("voter")
        let height = try r.uint64("height")
        let blockHash = try r.hash("block hash")
        let previousHash = try r.hash("previous hash")
        let signature = Array(try r.read(Self.signatureByteCount, "signature"))
        try r.finish()
        self.init(voter: voter, height: height, blockHash: blockHash, previousHash: previousHash, signature: signature)
    }
}
