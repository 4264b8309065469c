import CustosCore

/// A stored id that does not decode (a vault share id, say) is reported as invalid input.
extension StorageErrorCode: DecodingErrorCode {
    package static var malformedEncoding: Self { .invalidInput }
    package static var encodingLimitExceeded: Self { .invalidInput }
}
