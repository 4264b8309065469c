import CustosCore
import CustosIdentity

/// The nested check behind a `GovernanceError`: which WebAuthn or request-signing check failed.
public struct GovernanceErrorContext: ErrorContext, Hashable {
    /// The WebAuthn check that failed, for `assertionRefused` and `registrationRefused`.
    public var webAuthn: WebAuthnError.Code?
    /// The request-signing check that failed, for `requestRefused` and for an envelope that is
    /// `malformed`.
    public var requestSigning: RequestSigningError.Code?

    public init() {}

    public init(webAuthn: WebAuthnError.Code?, requestSigning: RequestSigningError.Code?) {
        self.webAuthn = webAuthn
        self.requestSigning = requestSigning
    }
}
