import CustosCore
import CustosCrypto

/// Why a protocol step was refused. Errors that can be pinned on other participants say who
/// (`culprits`), so that a session can be aborted and the offender named.
public struct MPCError: CodedError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidParameters, invalidShare, invalidProofOfKnowledge,
                invalidCommitmentCount, invalidSignatureShare, missingParticipant,
                unexpectedParticipant, duplicateParticipant, commitmentMismatch,
                invalidSignature, groupKeyMismatch, malformedMessage, checkFailed, presignatureMismatch
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Thresholds, counts or identifiers that cannot form a valid run.
        public static let invalidParameters = Code(.invalidParameters)
        /// A secret share that does not match its sender's Feldman commitments.
        public static let invalidShare = Code(.invalidShare)
        /// A DKG proof of knowledge of the constant term that does not verify.
        public static let invalidProofOfKnowledge = Code(.invalidProofOfKnowledge)
        /// A commitment vector whose length is not the threshold.
        public static let invalidCommitmentCount = Code(.invalidCommitmentCount)
        /// A signature share that does not verify against its sender's verifying share.
        public static let invalidSignatureShare = Code(.invalidSignatureShare)
        /// A participant the protocol expected is absent.
        public static let missingParticipant = Code(.missingParticipant)
        /// A participant appeared who is not part of this run.
        public static let unexpectedParticipant = Code(.unexpectedParticipant)
        /// The same identifier appeared twice.
        public static let duplicateParticipant = Code(.duplicateParticipant)
        /// A party's own commitment is missing or altered in a package it is asked to sign.
        public static let commitmentMismatch = Code(.commitmentMismatch)
        /// An aggregated signature that does not verify.
        public static let invalidSignature = Code(.invalidSignature)
        /// A refreshed or reshared key whose group public key changed.
        public static let groupKeyMismatch = Code(.groupKeyMismatch)
        /// A wire message that cannot be decoded.
        public static let malformedMessage = Code(.malformedMessage)
        /// A consistency check of the protocol failed; the blame step names who caused it.
        public static let checkFailed = Code(.checkFailed)
        /// A presignature that belongs to another key, key epoch, signer set or participant.
        public static let presignatureMismatch = Code(.presignatureMismatch)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let reason: String
    /// The participants to blame, as hex identifiers; empty when nobody can be blamed.
    public let culprits: [String]
    public let fileID: String
    public let line: Int

    public init(
        _ code: Code, _ reason: String, culprits: [String] = [],
        fileID: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.reason = reason
        self.culprits = culprits
        self.fileID = fileID
        self.line = line
    }

    public var description: String {
        culprits.isEmpty ? "\(code): \(reason)" : "\(code): \(reason) (culprits: \(culprits.joined(separator: ", ")))"
    }
}
