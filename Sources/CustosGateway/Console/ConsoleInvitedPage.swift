/// The page an inviting person sees once: the enrolment they prepared, to propose.
struct ConsoleInvitedPage: Sendable {
    let frame: ConsoleFrame
    let user: String
    /// The code key (hex) the person handed over.
    let codeKey: String
    let operationId: String
}
