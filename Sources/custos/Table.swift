import Foundation

/// Prints rows as aligned columns for people (two spaces between columns, the last one not
/// padded); scripts read the `--json` form instead.
func printTable(header: [String], rows: [[String]]) {
    for line in tableLines(header: header, rows: rows) { print(line) }
}

/// The lines `printTable` prints.
func tableLines(header: [String], rows: [[String]]) -> [String] {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
    return all.map { row in
        row.enumerated().map { column, cell in
            column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
}
