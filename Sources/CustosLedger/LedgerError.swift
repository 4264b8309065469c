import CustosCore
import CustosCrypto

/// Why a ledger input was refused: a malformed encoding, a configuration that cannot form a
/// cluster, or a vote or certificate that does not verify. Equality is on `code` only, so tests
/// match codes; `culprit` names the member to blame when one can be blamed.
public struct LedgerError: CodedError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformedEncoding, limitExceeded, invalidConfiguration, invalidSignature,
                unknownMember, duplicateVoter, insufficientVotes, mismatchedVote, brokenChain
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Bytes that are not the canonical encoding: truncated, trailing bytes, wrong version or
        /// kind, unsorted lists, invalid strings or keys.
        public static let malformedEncoding = Code(.malformedEncoding)
        /// A size or count above the ledger's limits.
        public static let limitExceeded = Code(.limitExceeded)
        /// A cluster configuration that cannot be used (duplicate members, too few nodes, weak keys).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// An Ed25519 signature that does not verify under the member's identity key.
        public static let invalidSignature = Code(.invalidSignature)
        /// A voter that is not a member of the cluster.
        public static let unknownMember = Code(.unknownMember)
        /// The same member counted twice in one certificate.
        public static let duplicateVoter = Code(.duplicateVoter)
        /// A certificate with fewer than q votes.
        public static let insufficientVotes = Code(.insufficientVotes)
        /// A vote for another height, block or previous hash than the certificate or block it is
        /// presented with.
        public static let mismatchedVote = Code(.mismatchedVote)
        /// A block that does not extend the chain: wrong height or previous hash.
        public static let brokenChain = Code(.brokenChain)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let reason: String
    /// The member to blame, if any.
    public let culprit: NodeID?
    public let fileID: String
    public let line: Int

    public init(
        _ code: Code, _ reason: String, culprit: NodeID? = nil,
        fileID: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.reason = reason
        self.culprit = culprit
        self.fileID = fileID
        self.line = line
    }

    public var description: String {
        if let culprit { return "\(code): \(reason) (culprit: \(culprit))" }
        return "\(code): \(reason)"
    }
}
