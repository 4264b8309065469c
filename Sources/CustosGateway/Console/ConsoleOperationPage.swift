/// One operation in full: its line of the inbox (`item`), the refusals recorded against it,
/// every field of the content an approval signs, and (for a session that may still decide) the
/// decision form; for an open `change-policy` operation, the policy review (diff, warnings,
/// replay). (Templates read stored properties only.)
struct ConsoleOperationPage: Sendable {
    let frame: ConsoleFrame
    let item: ConsoleInboxItem
    let hasApprovers: Bool
    let failure: String?
    let refusals: [ConsoleText]
    let hasRefusals: Bool
    let fields: [ConsoleField]
    let canDecide: Bool
    let canApprove: Bool
    /// The session's credential (base64url): the only one the page asks to sign with.
    let credentialId: String
    let csrf: String?
    let notice: String?
    let policy: ConsolePolicyReview?

    init(frame: ConsoleFrame, item: ConsoleInboxItem, failure: String?, refusals: [String], fields: [ConsoleField],
         canDecide: Bool, canApprove: Bool, credentialId: String, notice: String?, policy: ConsolePolicyReview? = nil) {
        self.frame = frame
        self.item = item
        hasApprovers = !item.approvers.isEmpty
        self.failure = failure
        self.refusals = refusals.map(ConsoleText.init)
        hasRefusals = !refusals.isEmpty
        self.fields = fields
        self.canDecide = canDecide
        self.canApprove = canApprove
        self.credentialId = credentialId
        csrf = frame.sessionToken
        self.notice = notice
        self.policy = policy
    }
}
