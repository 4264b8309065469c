import CustosPolicy

/// The activity view: the committed log as an audit trail, newest first, one page of the entries
/// the filter lets through, with links to the next and previous pages, the CSV of the filtered
/// view and the verifiable export. (Templates read stored properties only.)
struct ConsoleActivityPage: Sendable {
    struct Line: Sendable {
        let height: UInt64
        let index: Int
        let when: String
        let who: String
        let what: String
        let vault: String
        let destination: String
        let approvals: String
        let voted: String
        let signedBy: String

        init(_ row: ConsoleActivityRow) {
            height = row.height
            index = row.index
            when = UTCTime.text(Int64(row.time / 1000))
            who = ConsoleText.visible(row.who)
            what = ConsoleText.visible(row.what)
            vault = ConsoleText.visible(row.vault)
            destination = ConsoleText.visible(row.destination)
            approvals = ConsoleText.visible(row.approvals.joined(separator: ", "))
            voted = row.voted.joined(separator: ", ")
            signedBy = ConsoleText.visible(row.signedBy.joined(separator: ", "))
        }
    }

    let frame: ConsoleFrame
    let filter: ConsoleActivityFilter
    let problems: [ConsoleText]
    let lines: [Line]
    let hasLines: Bool
    let page: Int
    let previous: String?
    let next: String?
    let csv: String
    let scanned: String
    init(frame: ConsoleFrame, filter: ConsoleActivityFilter, rows: [ConsoleActivityRow], page: Int, hasMore: Bool,
         scannedBlocks: Int, complete: Bool) {
        self.frame = frame
        self.filter = filter
        problems = filter.problems.map(ConsoleText.init)
        lines = rows.map(Line.init)
        hasLines = !rows.isEmpty
        self.page = page
        let query = filter.query
        func link(_ page: Int) -> String { "/console/activity?" + (query.isEmpty ? "" : query + "&") + "page=\(page)" }
        previous = page > 1 ? link(page - 1) : nil
        next = hasMore ? link(page + 1) : nil
        csv = "/console/activity.csv" + (query.isEmpty ? "" : "?" + query)
        scanned = complete ? "the whole log (\(scannedBlocks) blocks)" : "the last \(scannedBlocks) blocks"
    }
}
