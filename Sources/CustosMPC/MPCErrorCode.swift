import CustosCore

/// The stable codes of `MPCError`.
public enum MPCErrorCode: String, ErrorCode {
    public typealias Context = MPCErrorContext

    /// Thresholds, counts or identifiers that cannot form a valid run.
    case invalidParameters
    /// A secret share that does not match its sender's Feldman commitments.
    case invalidShare
    /// A DKG proof of knowledge of the constant term that does not verify.
    case invalidProofOfKnowledge
    /// A commitment vector whose length is not the threshold.
    case invalidCommitmentCount
    /// A signature share that does not verify against its sender's verifying share.
    case invalidSignatureShare
    /// A participant the protocol expected is absent.
    case missingParticipant
    /// A participant appeared who is not part of this run.
    case unexpectedParticipant
    /// The same identifier appeared twice.
    case duplicateParticipant
    /// A party's own commitment is missing or altered in a package it is asked to sign.
    case commitmentMismatch
    /// An aggregated signature that does not verify.
    case invalidSignature
    /// A refreshed or reshared key whose group public key changed.
    case groupKeyMismatch
    /// A wire message that cannot be decoded.
    case malformedMessage
    /// A consistency check of the protocol failed; the blame step names who caused it.
    case checkFailed
    /// A presignature that belongs to another key, key epoch, signer set or participant.
    case presignatureMismatch
}
