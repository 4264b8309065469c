/// The governance inbox: the operations waiting for approvals, and the latest decided ones.
/// (Templates read stored properties only.)
struct ConsoleInboxPage: Sendable {
    let frame: ConsoleFrame
    let operations: [ConsoleInboxItem]
    let recent: [ConsoleInboxItem]
    let hasOperations: Bool
    let hasRecent: Bool

    init(frame: ConsoleFrame, operations: [ConsoleInboxItem], recent: [ConsoleInboxItem]) {
        self.frame = frame
        self.operations = operations
        self.recent = recent
        hasOperations = !operations.isEmpty
        hasRecent = !recent.isEmpty
    }
}
