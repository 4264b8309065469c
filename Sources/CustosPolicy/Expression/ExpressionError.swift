
/// A syntax or type error in a condition, at a position in the policy document.
struct ExpressionError: Error, Sendable {
    enum Kind: Sendable { case syntax, type }

    let location: SourceLocation
    let message: String
    var kind: Kind = .syntax

    init(_ location: SourceLocation, _ message: String, kind: Kind = .syntax) {
        self.location = location
        self.message = message
        self.kind = kind
    }
}
