import Crypto
import CustosCore
import CustosCrypto

/// A WebAuthn authenticator in software, for development clusters and tests: a P-256 credential
/// that produces registration and assertion responses byte-for-byte in the formats a browser and
/// a CTAP2 authenticator produce (attestation "none", CTAP2-canonical CBOR, DER signatures,
/// compact clientDataJSON). Its credentials carry `SoftwareAuthenticator.aaguid`, so relying
/// parties record them as software; a production relying party refuses them because their
/// attestation "none" proves no hardware (`AttestationStatement`), whatever AAGUID they carry.
///
/// The private key is a secret: it is never printed, and leaves only through
/// `unsafePrivateKeyRepresentation` for a development key file.
public struct SoftwareAuthenticator: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The AAGUID that marks Custos software credentials ("custos-software!" in ASCII).
    public static let aaguid: [UInt8] = Array("custos-software!".utf8)

    private let privateKey: P256.Signing.PrivateKey
    public let credentialId: [UInt8]
    /// The counter the next assertion will exceed.
    public private(set) var signCount: UInt32

    public init(privateKey: P256.Signing.PrivateKey, credentialId: [UInt8], signCount: UInt32 = 0) {
        precondition(!credentialId.isEmpty && credentialId.count <= AuthenticatorData.maxCredentialIdLength)
        self.privateKey = privateKey
        self.credentialId = credentialId
        self.signCount = signCount
    }

    /// A new credential with a fresh key and a random 32-byte credential id.
    public static func generate() -> SoftwareAuthenticator {
        SoftwareAuthenticator(privateKey: P256.Signing.PrivateKey(), credentialId: SecureRandom.bytes(count: 32))
    }

    /// Restores a credential from `unsafePrivateKeyRepresentation`.
    public init(privateKeyRepresentation: SecretBytes, credentialId: [UInt8], signCount: UInt32) throws {
        let key = try privateKeyRepresentation.withUnsafeBytes { try P256.Signing.PrivateKey(rawRepresentation: $0) }
        self.init(privateKey: key, credentialId: credentialId, signCount: signCount)
    }

    /// The raw private scalar, for a development key file only.
    public var unsafePrivateKeyRepresentation: SecretBytes { SecretBytes(privateKey.rawRepresentation) }

    public var publicKey: COSEKey { COSEKey(p256: privateKey.publicKey) }

    public var description: String { "SoftwareAuthenticator(credential \(Base64URL.encode(credentialId)), key redacted)" }
    public var debugDescription: String { description }
    /// `dump` and debuggers see the public parts only.
    public var customMirror: Mirror { Mirror(self, children: ["credentialId": credentialId, "signCount": signCount]) }

    /// `navigator.credentials.create()` with attestation "none".
    public func register(
        relyingPartyId: String, origin: String, challenge: [UInt8], userVerified: Bool = true,
        crossOrigin: Bool = false
    ) -> WebAuthnRegistration.Response {
        var flags: AuthenticatorData.Flags = [.userPresent, .attestedCredentialData]
        if userVerified { flags.insert(.userVerified) }
        let credentialLength = UInt16(credentialId.count)
        let authData =
            Hashes.sha256(Array(relyingPartyId.utf8)) + [flags.rawValue] + Self.bigEndian(signCount)
            + Self.aaguid + [UInt8(credentialLength >> 8), UInt8(credentialLength & 0xff)] + credentialId
            + publicKey.encoded
        let attestationObject = CBOREncoder.encode(
            .map([(.text("fmt"), .text("none")), (.text("attStmt"), .map([])), (.text("authData"), .bytes(authData))]))
        return WebAuthnRegistration.Response(
            credentialId: credentialId, attestationObject: attestationObject,
            clientDataJSON: Self.clientDataJSON(
                type: "webauthn.create", challenge: challenge, origin: origin, crossOrigin: crossOrigin))
    }

    /// `navigator.credentials.get()`: increments the counter and signs
    /// authenticatorData ‖ SHA-256(clientDataJSON).
    public mutating func getAssertion(
        relyingPartyId: String, origin: String, challenge: [UInt8], userPresent: Bool = true,
        userVerified: Bool = true, crossOrigin: Bool = false
    ) -> WebAuthnAssertion.Response {
        signCount &+= 1
        var flags: AuthenticatorData.Flags = []
        if userPresent { flags.insert(.userPresent) }
        if userVerified { flags.insert(.userVerified) }
        let authData = Hashes.sha256(Array(relyingPartyId.utf8)) + [flags.rawValue] + Self.bigEndian(signCount)
        let clientDataJSON = Self.clientDataJSON(
            type: "webauthn.get", challenge: challenge, origin: origin, crossOrigin: crossOrigin)
        return WebAuthnAssertion.Response(
            credentialId: credentialId, authenticatorData: authData, clientDataJSON: clientDataJSON,
            signature: sign(authenticatorData: authData, clientDataJSON: clientDataJSON))
    }

    /// Signs arbitrary authenticator data and client data; tests use it to build hostile assertions
    /// that nonetheless carry a valid signature.
    package func sign(authenticatorData: [UInt8], clientDataJSON: [UInt8]) -> [UInt8] {
        let message = authenticatorData + Hashes.sha256(clientDataJSON)
        // swift-crypto's P-256 signing cannot fail for a valid key.
        let signature = try! privateKey.signature(for: message)
        return Array(signature.derRepresentation)
    }

    /// Compact client data in the member order browsers use.
    package static func clientDataJSON(type: String, challenge: [UInt8], origin: String, crossOrigin: Bool) -> [UInt8] {
        JCS.documentOrderBytes(
            .object([
                ("type", .string(type)), ("challenge", .string(Base64URL.encode(challenge))),
                ("origin", .string(origin)), ("crossOrigin", .bool(crossOrigin)),
            ]))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
    }
}
