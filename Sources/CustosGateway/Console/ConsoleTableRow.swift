/// One row of a request's decoded table on its console page: a label and its text (made visible,
/// `ConsoleText.visible`). `hidden`, `lieClass` and `lie` are set only by a test's fault
/// (`GatewayFaultInjection.ConsoleTableLie`: a gateway hiding a row from the person while it
/// stays in the page, or styling it so the person reads `lie` instead of its text): an honest
/// page sets none of them, and the page's script treats a row a person cannot read as one that
/// disagrees with what is signed.
/// (Templates read stored properties only.)
struct ConsoleTableRow: Sendable, Equatable {
    let label: String
    let text: String
    var hidden = false
    /// The lying stylesheet's class for the row (`ConsoleTableLie.stylesheet`).
    var lieClass: String?
    /// The text the lying stylesheet draws over the row (`attr(data-lie)`).
    var lie: String?

    init(label: String, text: String, hidden: Bool = false, lieClass: String? = nil, lie: String? = nil) {
        self.label = label
        self.text = text
        self.hidden = hidden
        self.lieClass = lieClass
        self.lie = lie
    }
}
