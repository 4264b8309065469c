/// The stable codes of `HexError`.
public enum HexErrorCode: String, ErrorCode {
    /// An odd number of digits, or a character that is not a hex digit.
    case invalidEncoding
}
