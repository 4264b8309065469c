/// The inbox: the requests waiting for the person's approval (identical ones on one line), the
/// governance operations waiting for approvals, the latest decided ones, and the registered
/// credentials waiting to be proposed.
/// (Templates read stored properties only.)
struct ConsoleInboxPage: Sendable {
    let frame: ConsoleFrame
    let requests: [ConsoleRequestItem]
    let operations: [ConsoleInboxItem]
    let recent: [ConsoleInboxItem]
    /// Registered credentials waiting for someone to propose them.
    let enrolments: [ConsoleEnrolment]
    let notice: String?
    let hasRequests: Bool
    let hasOperations: Bool
    let hasRecent: Bool
    let hasEnrolments: Bool

    init(frame: ConsoleFrame, requests: [ConsoleRequestItem], operations: [ConsoleInboxItem], recent: [ConsoleInboxItem], enrolments: [ConsoleEnrolment], notice: String?) {
        self.frame = frame
        self.requests = requests
        hasRequests = !requests.isEmpty
        self.operations = operations
        self.recent = recent
        self.enrolments = enrolments
        self.notice = notice
        hasOperations = !operations.isEmpty
        hasRecent = !recent.isEmpty
        hasEnrolments = !enrolments.isEmpty
    }
}
