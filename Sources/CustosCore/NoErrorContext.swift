/// The context of a domain whose errors carry nothing besides code and reason.
public struct NoErrorContext: ErrorContext, Hashable, Codable {
    public init() {}
}
