/// Who may do what under a policy (`CompiledPolicy.accessMatrix(vaults:)`): for every person and
/// bot the policy knows, and for every role on its own, whether they may propose governance
/// operations, freeze alone, approve each governance operation, and initiate and approve requests
/// on each vault. Derived from the compiled rules every node enforces, so it cannot drift from
/// them; printed as Markdown or CSV (`custos access matrix`) and compared across policies (`diff`).
public struct AccessMatrix: Sendable, Hashable, Codable {
    /// One column: a key for scripts (`approve:change_policy`, `initiate:hot-trading`) and a
    /// title for people (`approve change_policy`, `initiate on hot-trading (production)`).
    public struct Column: Sendable, Hashable, Codable {
        public let key: String
        public let title: String
    }

    /// One row: a principal (`kind` person or bot) or a role on its own (`kind` role, `subject`
    /// the role's name), with a cell per column: empty where it may not, else what it may.
    public struct Row: Sendable, Hashable, Codable {
        public let subject: String
        public let kind: String
        public let roles: [String]
        public let cells: [String]
        /// A person who has not completed onboarding: the steps missing (their cells are empty);
        /// nil for everyone else.
        public var missingOnboarding: [String]? = nil

        /// `kind`, with a person's missing onboarding steps: what the tables print.
        var shownKind: String {
            guard let missing = missingOnboarding, !missing.isEmpty else { return kind }
            return "\(kind), not onboarded (missing \(missing.joined(separator: ", ")))"
        }
    }

    public let columns: [Column]
    public let rows: [Row]

    public init(columns: [Column], rows: [Row]) {
        self.columns = columns
        self.rows = rows
    }

    /// The cell of `subject` (a principal's id, or `role:NAME`) under the column `key`; nil when
    /// the matrix has no such row or column.
    public func cell(_ subject: String, _ key: String) -> String? {
        guard let column = columns.firstIndex(where: { $0.key == key }),
              let row = rows.first(where: { Self.name(of: $0) == subject }) else { return nil }
        return row.cells[column]
    }

    /// A row's name in `cell` and `diff`: the principal's id, or `role:NAME`.
    static func name(of row: Row) -> String { row.kind == "role" ? "role:" + row.subject : row.subject }

    /// The matrix as a Markdown table, one row per subject; `escape` is applied to every name
    /// that comes from the policy (a terminal's `printable`).
    public func markdown(escape: (String) -> String = { $0 }) -> String {
        func cell(_ text: String) -> String { escape(text).replacingPipes }
        var lines = ["| who | kind | roles | " + columns.map { cell($0.title) }.joined(separator: " | ") + " |"]
        lines.append("|---|---|---|" + String(repeating: "---|", count: columns.count))
        for row in rows {
            lines.append("| " + [cell(row.subject), cell(row.shownKind), cell(row.roles.joined(separator: ", "))].joined(separator: " | ") + " | "
                + row.cells.map(cell).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// The matrix as CSV (RFC 4180 quoting; a cell that a spreadsheet would read as a formula is
    /// prefixed with an apostrophe).
    public func csv() -> String {
        func field(_ text: String) -> String {
            var t = text
            if let first = t.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { t = "'" + t }
            return t.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + t.replacingQuotes + "\"" : t
        }
        var lines = [(["who", "kind", "roles"] + columns.map(\.key)).map(field).joined(separator: ",")]
        for row in rows {
            lines.append(([row.subject, row.shownKind, row.roles.joined(separator: " ")] + row.cells).map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What changes from `old` to `new`, one line per cell that differs, in `new`'s row and
    /// column order then `old`'s gone ones: `erin: approve change_policy: approve → (nothing)`.
    /// `escape` is applied to every name, title and cell, never to the line's own punctuation.
    /// Linear in the cells of both (rows and columns are looked up by index, not searched).
    public static func diff(from old: AccessMatrix, to new: AccessMatrix, escape: (String) -> String = { $0 }) -> [String] {
        let oldRows = old.rowIndex, newRows = new.rowIndex
        let oldColumns = old.columnIndex, newColumns = new.columnIndex
        let subjects = new.rows.map(name(of:)) + old.rows.map(name(of:)).filter { newRows[$0] == nil }
        let columns = new.columns + old.columns.filter { newColumns[$0.key] == nil }
        func cell(_ m: AccessMatrix, _ rows: [String: Int], _ cols: [String: Int], _ subject: String, _ key: String) -> String {
            guard let r = rows[subject], let c = cols[key] else { return "" }
            return m.rows[r].cells[c]
        }
        func shown(_ text: String) -> String { text.isEmpty ? "(nothing)" : escape(text) }
        var lines: [String] = []
        for subject in subjects {
            for column in columns {
                let before = cell(old, oldRows, oldColumns, subject, column.key)
                let after = cell(new, newRows, newColumns, subject, column.key)
                guard before != after else { continue }
                lines.append("\(escape(subject)): \(escape(column.title)): \(shown(before)) → \(shown(after))")
            }
        }
        return lines
    }

    /// Each row's position by its name (`name(of:)`); the first wins.
    private var rowIndex: [String: Int] {
        var index: [String: Int] = [:]
        for (i, row) in rows.enumerated() where index[Self.name(of: row)] == nil { index[Self.name(of: row)] = i }
        return index
    }

    /// Each column's position by its key; the first wins.
    private var columnIndex: [String: Int] {
        var index: [String: Int] = [:]
        for (i, column) in columns.enumerated() where index[column.key] == nil { index[column.key] = i }
        return index
    }
}

extension String {
    /// `|` escaped for a Markdown table cell.
    fileprivate var replacingPipes: String { split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") }
    /// `"` doubled for a CSV field.
    fileprivate var replacingQuotes: String { split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") }
}
