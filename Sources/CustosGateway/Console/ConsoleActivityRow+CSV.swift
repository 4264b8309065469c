import CustosPolicy
import Foundation

extension ConsoleActivityRow {
    static let csvHeader = ["height", "entry", "time (UTC)", "who", "kind", "what", "vault", "destination", "approvals", "voted", "signed by"]

    /// The row as CSV cells, in the order of `csvHeader`.
    var csvCells: [String] {
        [String(height), String(index), UTCTime.text(Int64(time / 1000)), who, kind, what, vault, destination,
         approvals.joined(separator: " "), voted.joined(separator: " "), signedBy.joined(separator: " ")]
    }

    /// `rows` as RFC 4180 CSV with a header line, every line ended by CRLF.
    static func csv(_ rows: [ConsoleActivityRow]) -> String {
        ([csvHeader] + rows.map(\.csvCells)).map { $0.map(csvCell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV cell: quoted, quotes doubled; a cell a spreadsheet would read as a formula — one
    /// starting with `=`, `+`, `-`, `@`, a tab or a carriage return — starts with `'` inside the
    /// quotes, so that a label a requester chose is never run as one (CSV injection).
    static func csvCell(_ text: String) -> String {
        var cell = text
        if let first = cell.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { cell = "'" + cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
