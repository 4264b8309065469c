import CustosCore
import CustosIdentity

extension CustosError where Code == GovernanceErrorCode {
    /// A governance error that names the WebAuthn check that failed.
    public init(_ code: Code, _ reason: String, webAuthn: WebAuthnError.Code?) {
        self.init(code, reason, context: GovernanceErrorContext(webAuthn: webAuthn, requestSigning: nil))
    }

    /// A governance error that names the request-signing check that failed.
    public init(_ code: Code, _ reason: String, requestSigning: RequestSigningError.Code?) {
        self.init(code, reason, context: GovernanceErrorContext(webAuthn: nil, requestSigning: requestSigning))
    }
}
