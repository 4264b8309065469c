import CustosCore

/// The stable codes of `CryptoError`.
public enum CryptoErrorCode: String, ErrorCode {
    /// The input has the wrong number of bytes.
    case invalidLength
    /// The bytes are not a valid encoding (bad prefix, non-canonical, bad hex).
    case invalidEncoding
    /// A scalar is not below the group order.
    case outOfRange
    /// The identity element where it is not allowed.
    case identity
    /// The coordinates do not satisfy the curve equation.
    case notOnCurve
    /// A point of small order, or outside the prime-order subgroup.
    case smallOrder
    /// Zero where a nonzero scalar is required (a secret key, an inverse).
    case zeroScalar
    /// A C library refused an operation that should not fail on valid input.
    case libraryFailure
    /// A signature does not verify under the key it claims.
    case invalidSignature
    /// A signed envelope is addressed to another recipient key.
    case wrongRecipient
    /// A signed envelope's sender is not a member of the cluster.
    case unknownSender
    /// The key offered to seal an envelope is not the sender its header names.
    case wrongSigner
    /// A signed envelope does not decrypt: altered in transit (header, key or ciphertext), or
    /// sealed for another key.
    case undecryptable
}
