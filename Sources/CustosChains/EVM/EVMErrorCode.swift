import CustosCore

/// The stable codes of `EVMError`.
public enum EVMErrorCode: String, ErrorCode {
    /// The input ends before a length it announced.
    case truncated
    /// Bytes remain after a complete item.
    case trailingBytes
    /// A valid value in a form other than the one canonical encoding (leading zeros,
    /// a long length where a short one fits, a single byte wrapped as a string).
    case nonCanonical
    /// The input or a length in it is larger than allowed.
    case tooLarge
    /// Lists nested deeper than allowed.
    case tooDeep
    /// Structurally wrong RLP (a list where a string belongs, the wrong field count).
    case invalidRLP
    /// Not 20 bytes of hex.
    case invalidAddress
    /// Mixed-case hex whose case does not match its EIP-55 checksum.
    case invalidChecksum
    /// A transaction whose fields are inconsistent or of an unknown type.
    case invalidTransaction
    /// A signature that is out of range or recovers no key.
    case invalidSignature
    /// ABI data that does not match its types, or a malformed type string.
    case invalidABI
    /// EIP-712 types or values that do not fit together.
    case invalidTypedData
    /// A number outside the range its field allows.
    case outOfRange
}
