/// What a domain's errors carry besides code and reason. It never takes part in equality or
/// hashing (errors are equal when their codes are), and it never holds secret material.
public protocol ErrorContext: Sendable {
    /// The context of an error that blames nobody and adds nothing.
    init()

    /// How an error with this context reads, given its `code: reason` summary. By default, the
    /// summary unchanged.
    func describe(_ summary: String) -> String
}

extension ErrorContext {
    public func describe(_ summary: String) -> String { summary }
}
