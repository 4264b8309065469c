/// An error domain that `CanonicalReader` can report in: which of its codes mean "not the
/// canonical encoding" and "a length or count above its limit" (a domain may use one code for both).
package protocol DecodingErrorCode: ErrorCode {
    /// Truncated input, trailing bytes, a wrong header, invalid UTF-8, an out-of-range value.
    static var malformedEncoding: Self { get }
    /// A length or count above the limit its field allows.
    static var encodingLimitExceeded: Self { get }
}
