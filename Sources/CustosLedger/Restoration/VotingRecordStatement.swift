import Crypto
import CustosCore

/// A member's signed account of its own voting, given to a node restored from a backup so that
/// node can learn how far its original may have voted (`RestorationFloor`): "for the restore of
/// `restored` that drew `nonce`, my committed head is the block `certificate` certifies (genesis
/// when nil), the highest place I voted at is `lastVote`, and my last round change is
/// `roundChange`". Binding the restore's nonce makes every statement younger than the restore
/// (it cannot be one made before and replayed); binding the genesis digest keeps it out of other
/// clusters. The round change is the member's own, as it signed and sent it: the blocks it lists
/// are what `RestorationFloor.listing` lets the restored node list. Nothing here is believed
/// before `verify(restored:nonce:in:)`.
public struct VotingRecordStatement: Sendable, Hashable {
    /// A height and a round there.
    public struct Place: Sendable, Hashable, Comparable {
        public let height: UInt64
        public let round: UInt32
        public init(height: UInt64, round: UInt32) {
            self.height = height
            self.round = round
        }
        public static func < (a: Place, b: Place) -> Bool { (a.height, a.round) < (b.height, b.round) }
    }

    static let domain = "custos.ledger.voting-record.v1"
    public static let nonceLength = 32
    /// A certificate of `ClusterConfiguration.maximumMembers` votes (about 33 KB), a round change
    /// (at most about 700 bytes) and the rest.
    public static let maximumBytes = 40_000

    public let member: NodeID
    public let restored: NodeID
    public let nonce: [UInt8]
    /// The certificate of the member's committed head; nil when its head is the genesis.
    public let certificate: QuorumCertificate?
    public let lastVote: Place?
    /// The member's round change at the highest height it gave up a round at, for its highest
    /// round there.
    public let roundChange: RoundChange?
    public let signature: [UInt8]

    /// A statement as received; nothing is checked until `verify`.
    public init(member: NodeID, restored: NodeID, nonce: [UInt8], certificate: QuorumCertificate?, lastVote: Place?,
                roundChange: RoundChange?, signature: [UInt8]) {
        self.member = member
        self.restored = restored
        self.nonce = nonce
        self.certificate = certificate
        self.lastVote = lastVote
        self.roundChange = roundChange
        self.signature = signature
    }

    /// Signs a statement with the member's identity key.
    public init(signing restored: NodeID, nonce: [UInt8], certificate: QuorumCertificate?, lastVote: Place?, roundChange: RoundChange?,
                genesisDigest: LedgerHash, identity: NodeIdentity) {
        let unsigned = VotingRecordStatement(member: identity.id, restored: restored, nonce: nonce, certificate: certificate,
                                             lastVote: lastVote, roundChange: roundChange, signature: [])
        self.init(member: identity.id, restored: restored, nonce: nonce, certificate: certificate, lastVote: lastVote,
                  roundChange: roundChange, signature: identity.sign(unsigned.message(genesisDigest: genesisDigest)))
    }

    /// The height of the member's committed head.
    public var head: UInt64 { certificate?.height ?? 0 }

    /// Refuses, naming what is wrong: a statement about another node or another restore, by a
    /// non-member or by the restored node itself, whose signature does not verify under the
    /// member's key for this cluster's genesis, whose certificate does not verify, or that
    /// claims a vote or a round change above the height after its certified head (an honest
    /// member votes and gives up rounds only there: the certificate bounds what it can claim).
    public func verify(restored expected: NodeID, nonce expectedNonce: [UInt8], in configuration: ClusterConfiguration) throws(LedgerError) {
        guard restored == expected else {
            throw LedgerError(.mismatchedVote, "a voting record by \(member) is about the restore of \(restored), not \(expected)", culprit: member)
        }
        guard nonce == expectedNonce else {
            throw LedgerError(.mismatchedVote, "a voting record by \(member) is about another restore of \(expected)", culprit: member)
        }
        guard member != expected else {
            throw LedgerError(.mismatchedVote, "the restored node \(member) cannot vouch for its own voting", culprit: member)
        }
        guard let key = configuration.member(member)?.publicKey else {
            throw LedgerError(.unknownMember, "voting record by \(member), who is not a member of \(configuration.name)", culprit: member)
        }
        guard signature.count == Vote.signatureByteCount, key.isValidSignature(signature, for: message(genesisDigest: configuration.genesisDigest)) else {
            throw LedgerError(.invalidSignature, "voting record by \(member): signature does not verify", culprit: member)
        }
        if let certificate {
            do { try certificate.verify(in: configuration) } catch {
                throw LedgerError(error.code, "voting record by \(member): its head's certificate: \(error.reason)", culprit: member)
            }
        }
        if let roundChange {
            guard roundChange.voter == member else {
                throw LedgerError(.mismatchedVote, "voting record by \(member) carries a round change by \(roundChange.voter)", culprit: member)
            }
            try roundChange.verify(in: configuration)
        }
        for (what, height) in [("vote", lastVote?.height), ("round change", roundChange?.height)] {
            guard let height, height > head + 1 else { continue }
            throw LedgerError(.mismatchedVote, "voting record by \(member) claims a \(what) at height \(height), above its certified head \(head) + 1",
                              culprit: member)
        }
    }

    /// The exact bytes a statement signs.
    func message(genesisDigest: LedgerHash) -> [UInt8] {
        var w = CanonicalWriter()
        w.append(raw: Self.domain.utf8)
        w.append(UInt8(0))
        w.append(genesisDigest)
        appendBody(to: &w)
        return w.bytes
    }

    private func appendBody(to w: inout CanonicalWriter) {
        w.append(member)
        w.append(restored)
        w.append(lengthPrefixed: nonce)
        w.append(optional: certificate?.serialized)
        w.append(lastVote != nil)
        if let lastVote {
            w.append(lastVote.height)
            w.append(lastVote.round)
        }
        w.append(optional: roundChange?.serialized)
    }

    // MARK: Encoding

    public var serialized: [UInt8] {
        var w = CanonicalWriter(kind: LedgerWire.Kind.votingRecord)
        appendBody(to: &w)
        w.append(raw: signature)
        return w.bytes
    }

    /// Decodes strictly: refuses more than `maximumBytes`, a nonce of another length, a
    /// malformed certificate, truncation and trailing bytes. The signature is checked by `verify`.
    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        guard bytes.count <= Self.maximumBytes else {
            throw LedgerError(.limitExceeded, "a voting record of \(bytes.count) bytes; at most \(Self.maximumBytes)")
        }
        var r = try LedgerReader(bytes, kind: LedgerWire.Kind.votingRecord, what: "voting record")
        let member = try r.nodeID("member")
        let restored = try r.nodeID("restored node")
        let nonce = try r.lengthPrefixed("nonce", max: Self.nonceLength)
        guard nonce.count == Self.nonceLength else { throw r.fail("a restore nonce has \(Self.nonceLength) bytes, not \(nonce.count)") }
        let certificate = try r.optional("certificate", max: Self.maximumBytes).map { bytes throws(LedgerError) in
            try QuorumCertificate(serialized: bytes)
        }
        let lastVote = try r.bool("last vote presence") ? Place(height: try r.uint64("last vote height"), round: try r.uint32("last vote round")) : nil
        let roundChange = try r.optional("round change", max: RoundChangeCertificate.maximumChangeBytes).map { bytes throws(LedgerError) in
            try RoundChange(serialized: bytes)
        }
        let signature = Array(try r.read(Vote.signatureByteCount, "signature"))
        try r.finish()
        self.init(member: member, restored: restored, nonce: nonce, certificate: certificate, lastVote: lastVote,
                  roundChange: roundChange, signature: signature)
    }
}
