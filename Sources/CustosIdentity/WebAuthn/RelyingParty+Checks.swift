import CustosCore

/// The checks registration and assertion share, in the order WebAuthn §7.1 and §7.2 run them.
extension RelyingParty {
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
