/// The sign-in page: a fresh one-time challenge (base64url) for a passkey sign-in.
struct ConsoleSignInPage: Sendable {
    let frame: ConsoleFrame
    let challenge: String
    let sessionMinutes: UInt64
    let notice: String
}
