/// A request held for approvals in full, or identical ones together (a batch): their line of
/// the inbox (`item`), every request's content as signed (`requests`), and for a session that may
/// still decide, the form whose script derives the challenge from the displayed signing inputs:
/// one request's approval or rejection, or one approval of the whole list.
/// (Templates read stored properties only.)
struct ConsoleRequestPage: Sendable {
    let frame: ConsoleFrame
    let heading: String
    let item: ConsoleRequestItem
    let requests: [ConsoleRequestContent]
    let isBatch: Bool
    /// "single" or "batch": what the script signs.
    let mode: String
    let action: String
    /// The listed ids, comma-separated, as the form sends them.
    let ids: String
    let canDecide: Bool
    let canReject: Bool
    /// The session's credential (base64url): the only one the page asks to sign with.
    let credentialId: String
    let csrf: String?
    let notice: String?

    init(frame: ConsoleFrame, item: ConsoleRequestItem, requests: [ConsoleRequestContent], canDecide: Bool, credentialId: String, notice: String?) {
        self.frame = frame
        self.item = item
        self.requests = requests
        isBatch = requests.count > 1
        heading = isBatch ? "\(requests.count) identical requests" : "Request \(item.id.prefix(16))…"
        mode = isBatch ? "batch" : "single"
        action = isBatch ? "/console/batches/decision" : "/console/requests/\(item.id)/decision"
        ids = requests.map(\.id).joined(separator: ",")
        self.canDecide = canDecide
        canReject = canDecide && !isBatch
        self.credentialId = credentialId
        csrf = frame.sessionToken
        self.notice = notice
    }
}
