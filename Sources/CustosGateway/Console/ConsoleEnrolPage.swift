/// The enrolment page of a person without a credential: first the code, then (with a valid
/// code) the content the browser registers the new credential over. (Templates read stored
/// properties only.)
struct ConsoleEnrolPage: Sendable {
    let frame: ConsoleFrame
    let hasInvitation: Bool
    let code: String
    let user: String
    let fields: [ConsoleField]
    let notice: String?
}
