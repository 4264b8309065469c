/// One page of the governance directory: a table of what the committed state registers (every
/// value escaped by the template and made visible, `ConsoleText`), and the open governance
/// operations that would change it, each linking to its operation page.
/// (Templates read stored properties only.)
struct ConsoleDirectoryPage: Sendable {
    /// One cell: its text, and the whole value behind it when the text is shortened (shown on
    /// demand).
    struct Cell: Sendable {
        let text: String
        let full: String?

        init(_ text: String, full: String? = nil) {
            self.text = ConsoleText.visible(text)
            self.full = full.map(ConsoleText.visible)
        }
    }

    struct Row: Sendable {
        /// What the row is about (a person, a role, a key…), for tests and anchors.
        let key: String
        let cells: [Cell]
    }

    struct Tab: Sendable {
        let path: String
        let title: String
        let current: Bool
    }

    struct Column: Sendable { let name: String }

    let frame: ConsoleFrame
    let tabs: [Tab]
    let section: String
    let heading: String
    let note: String
    let columns: [Column]
    let rows: [Row]
    let hasRows: Bool
    let pending: [ConsoleInboxItem]
    let hasPending: Bool

    init(frame: ConsoleFrame, section: ConsoleDirectorySection, note: String, columns: [String], rows: [Row], pending: [ConsoleInboxItem]) {
        self.frame = frame
        tabs = ConsoleDirectorySection.allCases.map {
            Tab(path: "/console/directory/\($0.rawValue)", title: $0.title, current: $0 == section)
        }
        self.section = section.rawValue
        heading = section.title
        self.note = note
        self.columns = columns.map(Column.init)
        self.rows = rows
        hasRows = !rows.isEmpty
        self.pending = pending
        hasPending = !pending.isEmpty
    }
}
