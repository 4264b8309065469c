import CustosCore

/// The stable codes of `CBORError`.
public enum CBORErrorCode: String, ErrorCode {
    /// The input ends before the item it announces.
    case truncated
    /// Bytes follow a complete top-level item.
    case trailingBytes
    /// An indefinite-length string, array or map (additional information 31), or a stray break.
    case indefiniteLength
    /// An argument not in its shortest form (RFC 8949 §4.2.1, CTAP2 canonical form).
    case nonCanonical
    /// A map holds the same key twice (RFC 8949 §5.6).
    case duplicateKey
    /// Map keys out of the CTAP2 canonical order, where that order is required.
    case unsortedKeys
    /// Nesting deeper than the decoder's limit.
    case tooDeep
    /// An input, string, array or map larger than the decoder's limits or than the input.
    case tooLarge
    /// A CBOR type WebAuthn does not use here: tags, floats, undefined, simple values, or a
    /// map key that is not an integer, byte string or text string.
    case unsupportedType
    /// A text string that is not valid UTF-8.
    case invalidUTF8
    /// Additional information 28–30, reserved by RFC 8949 §3.
    case reserved
}
