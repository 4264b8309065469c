import CustosCore

/// The stable codes of `LedgerError`.
public enum LedgerErrorCode: String, ErrorCode {
    public typealias Context = LedgerErrorContext

    /// Bytes that are not the canonical encoding: truncated, trailing bytes, wrong version or
    /// kind, unsorted lists, invalid strings or keys.
    case malformedEncoding
    /// A size or count above the ledger's limits.
    case limitExceeded
    /// A cluster configuration that cannot be used (duplicate members, too few nodes, weak keys).
    case invalidConfiguration
    /// An Ed25519 signature that does not verify under the member's identity key.
    case invalidSignature
    /// A voter that is not a member of the cluster.
    case unknownMember
    /// The same member counted twice in one certificate.
    case duplicateVoter
    /// A certificate with fewer than q votes.
    case insufficientVotes
    /// A vote for another height, block or previous hash than the certificate or block it is
    /// presented with.
    case mismatchedVote
    /// A block that does not extend the chain: wrong height or previous hash.
    case brokenChain
}
