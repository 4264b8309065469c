/// The enrolment page of a person without a credential: first the code, then (with a valid
/// code) the content the browser registers the new credential over. (Templates read stored
/// properties only.)
struct ConsoleEnrolPage: Sendable {
    let frame: ConsoleFrame
    let hasInvitation: Bool
    let code: String
    let user: String
    let fields: [ConsoleField]
    /// What the browser asks the authenticator for: "direct" attestation in production, "none" otherwise.
    let attestation: String
    let notice: String?
}
