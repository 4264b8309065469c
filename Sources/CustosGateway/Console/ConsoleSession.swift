/// A person signed in to the console: bound to the one credential that signed in, short-lived,
/// with the token every form of the session must carry (CSRF). The session id and the token are
/// secrets: `description` shows neither.
struct ConsoleSession: Sendable, CustomStringConvertible {
    let user: String
    let credentialId: [UInt8]
    /// Carried by every form of this session and compared in constant time.
    let csrfToken: String
    /// Gateway clock, milliseconds since the Unix epoch.
    let expiresAt: UInt64

    var description: String { "ConsoleSession(\(user), expires \(expiresAt), secrets redacted)" }
}
