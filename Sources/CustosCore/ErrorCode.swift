/// The stable codes of one error domain: a plain `enum …: String` whose raw values are what
/// tests match, clients read (HTTP problem JSON) and state digests hash, so a case's raw value
/// never changes once shipped.
public protocol ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible where RawValue == String {
    /// What an error of this domain carries besides its code and reason (the participants to
    /// blame, the nested check that failed); `NoErrorContext` when there is nothing.
    associatedtype Context: ErrorContext = NoErrorContext
}

extension ErrorCode {
    /// The raw value: the stable name of the code.
    public var description: String { rawValue }
}
