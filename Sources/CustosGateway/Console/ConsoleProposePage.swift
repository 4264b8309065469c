/// A governance operation the signed-in person would propose (a registered enrolment's
/// credential, a freeze): every field of it, and the form the page's script signs it with.
struct ConsoleProposePage: Sendable {
    let frame: ConsoleFrame
    let operationId: String
    let heading: String
    let summary: String
    /// What follows from proposing it, when the person should know before signing.
    let consequence: String?
    let fields: [ConsoleField]
    /// Where the signed form goes.
    let action: String
    /// The session's credential (base64url).
    let credentialId: String
    let csrf: String?
}
