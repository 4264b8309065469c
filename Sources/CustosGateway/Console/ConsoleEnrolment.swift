import CustosIdentity

/// A person's enrolment of a new credential: who invited whom, the operation id the
/// registration is bound to (`GovernanceProposal.registrationChallenge(operationId:user:)`),
/// and, once the person registered in their browser, the registration. It becomes a credential
/// only through the governance operation that proposes it and the approvals that operation needs.
struct ConsoleEnrolment: Sendable {
    let user: String
    let operationId: String
    let invitedBy: String
    /// Gateway clock, milliseconds since the Unix epoch.
    let expiresAt: UInt64
    var registration: WebAuthnRegistration.Response?
}
