import CustosCore

/// A person's enrolment as the console made it: who invited whom, the id of the enrolment
/// operation (`GovernanceChange.enrolCredential`) and the digest of the one-time code it names.
/// The person registers with the code only once that operation executed, and the credential is
/// theirs from the committed block that records their registration.
struct ConsoleEnrolment: Sendable {
    let user: String
    let operationId: String
    let invitedBy: String
    /// `CredentialEnrolment.digest(ofCode:)` of the code.
    let codeDigest: [UInt8]
    /// Gateway clock, milliseconds since the Unix epoch.
    let expiresAt: UInt64
}
