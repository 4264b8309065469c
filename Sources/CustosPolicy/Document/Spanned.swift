/// A value read from a document together with where it was written.
public struct Spanned<Value: Sendable & Hashable>: Sendable, Hashable {
    public let value: Value
    public let location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

extension Spanned: Codable where Value: Codable {}
