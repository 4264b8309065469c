import CustosPolicy
import Foundation

extension ConsoleActivityRow {
    static let csvHeader = ["height", "entry", "time (UTC)", "who", "kind", "what", "vault", "destination", "approvals", "voted", "signed by"]

    /// The row as CSV cells, in the order of `csvHeader`.
    var csvCells: [String] {
        [String(height), String(index), UTCTime.text(Int64(time / 1000)), who, kind, what, vault, destination,
         approvals.joined(separator: " "), voted.joined(separator: " "), signedBy.joined(separator: " ")]
    }

    /// `rows` as RFC 4180 CSV: a first line of one cell, `about` (what the file is), a header
    /// line, then the rows; every line ended by CRLF.
    static func csv(_ rows: [ConsoleActivityRow], about: String) -> String {
        ([[about], csvHeader] + rows.map(\.csvCells)).map { $0.map(csvCell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV cell: hidden characters made visible (`ConsoleText.visible`), quoted, quotes
    /// doubled; a cell a spreadsheet could read as a formula — its first character that is not
    /// white space `=`, `+`, `-`, `@` or their full-width forms, or the cell starting with a tab,
    /// carriage return or line feed — starts with `'` inside the quotes, so that a label a requester
    /// chose is never run as one (CSV injection), also by an importer that trims spaces.
    static func csvCell(_ text: String) -> String {
        var cell = ConsoleText.visible(text)
        let formula: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}"]
        let leading = cell.unicodeScalars.first { !$0.properties.isWhitespace }
        if let first = cell.unicodeScalars.first, ["\t", "\r", "\n"].contains(first) || leading.map(formula.contains) == true { cell = "'" + cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
