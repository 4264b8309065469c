/// The enrolment page of a person without a credential: first making a code or entering the
/// one they made (in the browser only: the page sends the console the code's key, never the
/// code), then, for a code key the quorum approved, the content the browser registers the new
/// credential over. (Templates read stored properties only.)
struct ConsoleEnrolPage: Sendable {
    let frame: ConsoleFrame
    let hasInvitation: Bool
    let enrolmentId: String
    let user: String
    let fields: [ConsoleField]
    /// What the browser asks the authenticator for: "direct" attestation in production, "none" otherwise.
    let attestation: String
    let notice: String?
}
