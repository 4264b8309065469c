import CustosCrypto

/// What every node knows about the WebAuthn relying party it verifies for: the RP id, the origins
/// a ceremony may come from, and whether software (development) credentials are acceptable.
public struct RelyingParty: Sendable, Hashable {
    /// Whether software credentials may be registered and used.
    public enum Mode: String, Sendable, Hashable, Codable {
        /// Refuses credentials flagged as software.
        case production
        /// Accepts software credentials (development clusters, CLI approvals).
        case development
    }

    /// The RP id, a registrable domain ("custos.example.com").
    public let id: String
    /// Exact origins accepted in client data ("https://custos.example.com").
    public let allowedOrigins: Set<String>
    /// Whether a ceremony inside a cross-origin iframe is acceptable (WebAuthn §5.8.1 crossOrigin).
    public let allowCrossOrigin: Bool
    public let mode: Mode

    public init(id: String, allowedOrigins: Set<String>, allowCrossOrigin: Bool = false, mode: Mode) {
        self.id = id
        self.allowedOrigins = allowedOrigins
        self.allowCrossOrigin = allowCrossOrigin
        self.mode = mode
    }

    /// SHA-256 of the RP id's UTF-8 bytes: what authenticator data must start with.
    public var idHash: [UInt8] { Hashes.sha256(Array(id.utf8)) }

    /// The client-data checks shared by registration and assertion (§7.1 steps 7–10, §7.2 steps 11–14).
    func check(_ clientData: CollectedClientData, type: String, challenge: [UInt8]) throws(WebAuthnError) {
        guard clientData.type == type else {
            throw WebAuthnError(.wrongType, "client data type is \"\(clientData.type.prefix(64))\", expected \"\(type)\"")
        }
        guard clientData.challenge == challenge else {
            throw WebAuthnError(.wrongChallenge, "the signed challenge is not the digest of the request being approved")
        }
        guard allowedOrigins.contains(clientData.origin) else {
            throw WebAuthnError(.wrongOrigin, "origin \"\(clientData.origin.prefix(200))\" is not allowed")
        }
        if clientData.crossOrigin && !allowCrossOrigin {
            throw WebAuthnError(.crossOriginNotAllowed, "the ceremony ran in a cross-origin frame")
        }
        if let top = clientData.topOrigin, !allowCrossOrigin || !allowedOrigins.contains(top) {
            throw WebAuthnError(.crossOriginNotAllowed, "top origin \"\(top.prefix(200))\" is not allowed")
        }
    }

    /// The authenticator-data checks shared by registration and assertion.
    func check(_ authData: AuthenticatorData, requireUserVerification: Bool) throws(WebAuthnError) {
        guard authData.rpIdHash == idHash else {
            throw WebAuthnError(.wrongRpId, "rpIdHash is not SHA-256 of \"\(id)\"")
        }
        guard authData.flags.contains(.userPresent) else {
            throw WebAuthnError(.userNotPresent, "the user-present flag (UP) is not set")
        }
        if requireUserVerification && !authData.flags.contains(.userVerified) {
            throw WebAuthnError(.userNotVerified, "user verification is required and the UV flag is not set")
        }
    }
}
