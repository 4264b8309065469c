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

/// The nested checks by their codes' stable names.
extension GovernanceErrorContext: Codable {
    private enum CodingKeys: String, CodingKey { case webAuthn, requestSigning }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func code<C: ErrorCode>(_ key: CodingKeys) throws -> C? {
            guard let name = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let code = C(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "unknown check code \(name)")
            }
            return code
        }
        self.init(webAuthn: try code(.webAuthn), requestSigning: try code(.requestSigning))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(webAuthn?.rawValue, forKey: .webAuthn)
        try c.encodeIfPresent(requestSigning?.rawValue, forKey: .requestSigning)
    }
}
