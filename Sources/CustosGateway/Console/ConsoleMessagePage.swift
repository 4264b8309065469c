/// A page that says one thing: why something was refused, or what happened.
struct ConsoleMessagePage: Sendable {
    let frame: ConsoleFrame
    let heading: String
    let message: String
    /// A console path.
    let back: String
}
