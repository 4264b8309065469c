import Foundation

extension DrillReport {
    /// The report for people: a header, one table row a step (who, when, how long, which heights,
    /// outcome), then each step's evidence and, for the one that blocked, exactly what blocked it.
    public var markdown: String {
        var lines = [
            "# Incident drill: \(title) (`\(scenario)`)",
            "",
            "- cluster: \(cluster), gateway \(gateway)",
            "- ran: \(Self.time(startedAt)) to \(Self.time(endedAt)) (\(Self.duration(endedAt - startedAt)))",
            "- outcome: " + (outcome == .done ? "every step done" : "BLOCKED at step `\(blockedAt ?? "?")`"),
            "",
            "| # | step | by | started | duration | heights | outcome |",
            "|---|------|----|---------|----------|---------|---------|",
        ]
        for (index, record) in steps.enumerated() {
            let heights = record.startHeight.map { start in "\(start) → \(record.endHeight.map(String.init) ?? "?")" } ?? "-"
            lines.append("| \(index + 1) | \(Self.cell(record.step.action)) | \(Self.cell(record.step.actor)) | "
                         + "\(record.startedAt.map(Self.time) ?? "-") | \(record.durationMillis.map(Self.duration) ?? "-") | \(heights) | "
                         + "\(record.outcome.rawValue) |")
        }
        for (index, record) in steps.enumerated() {
            lines += ["", "## \(index + 1). \(record.step.id): \(record.outcome.rawValue)", "", "- action: \(record.step.action)",
                      "- check: \(record.step.check)"]
            if let blockedBy = record.blockedBy { lines.append("- BLOCKED BY: \(blockedBy)") }
            lines += record.evidence.map { "- \($0)" }
        }
        if let limit { lines += ["", "## What the system cannot do here", "", limit] }
        if !aftermath.isEmpty { lines += ["", "## After the drill", ""] + aftermath.map { "- \($0)" } }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON encoding (sorted keys, indented) scripts read.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// `2026-12-07 01:02:03.456 UTC` for milliseconds since 1970.
    static func time(_ millis: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    /// `850 ms`, `12.3 s`, `2 min 05 s`.
    static func duration(_ millis: Int64) -> String {
        if millis < 1000 { return "\(max(millis, 0)) ms" }
        if millis < 60_000 { return "\(millis / 1000).\((millis % 1000) / 100) s" }
        let seconds = millis / 1000
        return "\(seconds / 60) min \(seconds % 60 < 10 ? "0" : "")\(seconds % 60) s"
    }

    /// A table cell: no pipe or line break can break the row.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
