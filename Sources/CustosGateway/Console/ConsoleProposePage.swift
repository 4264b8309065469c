/// The proposal of a registered enrolment's credential: every field of the operation the
/// signed-in person would propose, and the form the page's script signs it with.
struct ConsoleProposePage: Sendable {
    let frame: ConsoleFrame
    let operationId: String
    let user: String
    let summary: String
    let fields: [ConsoleField]
    /// The session's credential (base64url).
    let credentialId: String
    let csrf: String?
}
