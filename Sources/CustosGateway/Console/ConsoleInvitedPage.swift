/// The page an inviting person sees once: the one-time enrolment code to hand over.
struct ConsoleInvitedPage: Sendable {
    let frame: ConsoleFrame
    let user: String
    let code: String
    let operationId: String
}
