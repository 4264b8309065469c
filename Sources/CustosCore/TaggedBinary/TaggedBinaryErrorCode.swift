/// The stable codes of `TaggedBinaryError`.
public enum TaggedBinaryErrorCode: String, ErrorCode {
    /// No header, an unknown tag, a length past the end, text that is not UTF-8, a key twice in
    /// one map, nesting past the bound, or bytes after the value.
    case malformed
}
