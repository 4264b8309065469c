/// One row of a request's decoded table on its console page: a label and its text (made visible,
/// `ConsoleText.visible`). `hidden` is set only by a test's fault (`GatewayFaultInjection`,
/// a gateway hiding a row from the person while it stays in the page): an honest page hides no
/// row, and the page's script treats a hidden row as one that disagrees with what is signed.
/// (Templates read stored properties only.)
struct ConsoleTableRow: Sendable, Equatable {
    let label: String
    let text: String
    var hidden = false

    init(label: String, text: String, hidden: Bool = false) {
        self.label = label
        self.text = text
        self.hidden = hidden
    }
}
