import CustosCore

/// A person's enrolment as the console prepared it: who invited whom, the id of the enrolment
/// operation (`GovernanceChange.enrolCredential`) and the code key it names, which the person
/// made in their own browser (or with `custos op enrolment-code`) and handed to the inviter.
/// The code itself never reaches the console.
struct ConsoleEnrolment: Sendable {
    let user: String
    let operationId: String
    let invitedBy: String
    /// `CredentialEnrolment.codeKey(ofCode:)` of the person's code.
    let codeKey: [UInt8]
    /// Gateway clock, milliseconds since the Unix epoch.
    let expiresAt: UInt64
}
