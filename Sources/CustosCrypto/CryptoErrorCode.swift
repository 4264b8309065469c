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
}
