import CustosCore

/// Proof that round `round` at `height` is over: round changes (`RoundChange`) for that very
/// height, round and previous hash from at least q distinct members. It is what justifies a
/// proposal in round `round + 1`, and it says which block that proposal may carry
/// (`allowedBlock`): a block that might have been certified in any round up to `round` must be
/// proposed again, and nothing else.
///
/// A block B *might have been certified* unless the certificate proves otherwise: with n
/// members, f = ⌊(n−1)/3⌋ and q = ⌈(n+f+1)/2⌉, B is ruled out when more than n + f − q of the
/// signers do not list B among the blocks they voted for. Why that suffices: if B was certified
/// in some round ≤ `round`, at least q − f honest members voted for it; an honest member lists
/// every block it voted for at the height (it signs its round change only after those votes,
/// and votes in no round ≤ `round` afterwards), so the signers not listing B are among the other
/// n − (q − f) = n + f − q members.
public struct RoundChangeCertificate: Sendable, Hashable {
    public let height: UInt64
    public let round: UInt32
    public let previousHash: LedgerHash
    /// The round changes, sorted by voter.
    public let changes: [RoundChange]

    /// A certificate as received or assembled; nothing is checked until `verify`.
    public init(height: UInt64, round: UInt32, previousHash: LedgerHash, changes: [RoundChange]) {
        self.height = height
        self.round = round
        self.previousHash = previousHash
        self.changes = changes.sorted { $0.voter < $1.voter }
    }

    /// What a round-change certificate lets the next round propose.
    public enum Allowed: Sendable, Hashable {
        /// No block might have been certified: any block that extends the head.
        case anyBlock
        /// Exactly this block, which might have been certified.
        case only(LedgerHash)
        /// More than one block might have been certified: no proposal is safe (yet; more round
        /// changes may rule some out).
        case nothing
    }

    /// Refuses round changes for another height, round or previous hash, duplicate voters,
    /// non-members, invalid signatures, and fewer than q round changes, naming the first culprit.
    public func verify(in configuration: ClusterConfiguration) throws(LedgerError) {
        var seen: Set<NodeID> = []
        for change in changes {
            guard change.height == height, change.round == round, change.previousHash == previousHash else {
                throw LedgerError(.mismatchedVote, "round-change certificate for height \(height) round \(round) holds \(change)",
                                  culprit: change.voter)
            }
            guard seen.insert(change.voter).inserted else {
                throw LedgerError(.duplicateVoter, "\(change.voter) is counted twice in the round-change certificate for height \(height)",
                                  culprit: change.voter)
            }
        }
        for change in changes { try change.verify(in: configuration) }
        guard changes.count >= configuration.quorum else {
            throw LedgerError(.insufficientVotes, "round-change certificate for height \(height) round \(round) has \(changes.count) round changes; \(configuration.quorum) needed")
        }
    }

    /// The blocks that might have been certified at `height` in a round up to `round`, sorted
    /// (see the type's documentation). Meaningful only for a certificate that verifies.
    public func possiblyCertified(in configuration: ClusterConfiguration) -> [LedgerHash] {
        let tolerated = configuration.n + configuration.f - configuration.quorum
        var listing: [LedgerHash: Int] = [:]
        for change in changes {
            for hash in change.votedBlocks { listing[hash, default: 0] += 1 }
        }
        return listing.filter { changes.count - $0.value <= tolerated }.keys.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
    }

    /// What round `round + 1` may propose. Meaningful only for a certificate that verifies.
    public func allowedBlock(in configuration: ClusterConfiguration) -> Allowed {
        let possible = possiblyCertified(in: configuration)
        switch possible.count {
        case 0: return .anyBlock
        case 1: return .only(possible[0])
        default: return .nothing
        }
    }

    // MARK: Encoding

    /// Height, round, previous hash, then the round changes (each length-prefixed) in strictly
    /// ascending voter order.
    public var serialized: [UInt8] {
        var w = CanonicalWriter(kind: LedgerWire.Kind.roundChangeCertificate)
        w.append(height)
        w.append(round)
        w.append(previousHash)
        w.append(UInt32(changes.count))
        for change in changes { w.append(lengthPrefixed: change.serialized) }
        return w.bytes
    }

    /// Decodes strictly: refuses voters out of order or repeated, counts above the member limit,
    /// round changes for another height, round or previous hash, truncation and trailing bytes.
    /// Signatures are checked by `verify`.
    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        var r = try LedgerReader(bytes, kind: LedgerWire.Kind.roundChangeCertificate, what: "round-change certificate")
        let (height, round, previousHash) = try r.roundPlace()
        let count = try r.count("round change count", max: ClusterConfiguration.maximumMembers)
        let changes = try r.strictlyAscending(count, "voters", by: { $0.voter < $1.voter }) {
            (r: inout LedgerReader, i: Int) throws(LedgerError) in
            let change = try RoundChange(serialized: try r.lengthPrefixed("round change \(i)", max: Self.maximumChangeBytes))
            guard change.height == height, change.round == round, change.previousHash == previousHash else {
                throw r.fail("round change \(i) is for height \(change.height) round \(change.round), not \(height) round \(round)")
            }
            return change
        }
        try r.finish()
        self.init(height: height, round: round, previousHash: previousHash, changes: changes)
    }

    /// The largest encoded round change: header, a 255-byte voter name, the fields, every voted block, the signature.
    static let maximumChangeBytes = 2 + 1 + 255 + 8 + 4 + 32 + 4 + 32 * RoundChange.maximumVotedBlocks + Vote.signatureByteCount
}
