import CustosCore

/// The client data a browser collects and the authenticator's signature covers through its hash
/// (WebAuthn Level 3 §5.8.1). Parsed from the exact `clientDataJSON` bytes with the strict JSON
/// parser; members other than these are ignored, as the specification asks.
public struct CollectedClientData: Sendable, Hashable {
    /// "webauthn.create" or "webauthn.get".
    public let type: String
    /// The challenge bytes (base64url-decoded).
    public let challenge: [UInt8]
    public let origin: String
    public let crossOrigin: Bool
    public let topOrigin: String?

    /// clientDataJSON larger than this is refused before it is parsed.
    public static let maxLength = 8 * 1024

    public init(json bytes: [UInt8]) throws(WebAuthnError) {
        let value: JSONValue
        do {
            value = try JSONParser(maxDepth: 8, maxInputBytes: Self.maxLength).parse(bytes)
        } catch {
            throw WebAuthnError(.malformed, "clientDataJSON: JSON \(error)")
        }
        guard case .object = value else {
            throw WebAuthnError(.malformed, "clientDataJSON is a \(value.typeName), not an object")
        }
        func string(_ name: String) throws(WebAuthnError) -> String {
            guard let member = value[name] else {
                throw WebAuthnError(.malformed, "clientDataJSON has no \"\(name)\"")
            }
            guard let s = member.stringValue else {
                throw WebAuthnError(.malformed, "clientDataJSON \"\(name)\" is a \(member.typeName), not a string")
            }
            return s
        }
        type = try string("type")
        let encodedChallenge = try string("challenge")
        guard let challenge = Base64URL.decode(encodedChallenge) else {
            throw WebAuthnError(.malformed, "clientDataJSON challenge is not unpadded base64url")
        }
        self.challenge = challenge
        origin = try string("origin")
        switch value["crossOrigin"] {
        case nil: crossOrigin = false
        case .bool(let b)?: crossOrigin = b
        case let other?: throw WebAuthnError(.malformed, "clientDataJSON \"crossOrigin\" is a \(other.typeName), not a boolean")
        }
        topOrigin = value["topOrigin"] == nil ? nil : try string("topOrigin")
    }
}
