/// A line of text in a template's list.
struct ConsoleText: Sendable {
    let text: String
}
