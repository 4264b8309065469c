/// The stable codes of `JSONError`.
public enum JSONErrorCode: String, ErrorCode {
    /// Not JSON: an unexpected or missing character.
    case syntax
    /// An object names the same member twice (I-JSON §2.3).
    case duplicateKey
    /// Nesting deeper than the parser's limit.
    case tooDeep
    /// Input larger than the parser's limit.
    case tooLarge
    /// The input is not valid UTF-8.
    case invalidUTF8
    /// A raw control character, a bad escape or a lone surrogate in a string (I-JSON §2.1).
    case invalidString
    /// A number that overflows an IEEE 754 double (I-JSON §2.2).
    case invalidNumber
    /// Non-whitespace after the top-level value.
    case trailingBytes
}
