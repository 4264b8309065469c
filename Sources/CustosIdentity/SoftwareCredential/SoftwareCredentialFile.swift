import CustosCore
import CustosCrypto

/// A development software credential as a JSON key file: whose it is, the relying party and
/// origin it asserts for, and the authenticator's key and counter. It holds a private key: a
/// development cluster's files are mode 0600 and a production cluster refuses these credentials.
/// `description` never shows the key.
public struct SoftwareCredentialFile: Codable, Sendable, CustomStringConvertible {
    public var warning = "DEVELOPMENT software credential: it holds a private key; a production cluster refuses it"
    public var user: String
    public var relyingPartyId: String
    public var origin: String
    /// base64url.
    public var credentialId: String
    /// The P-256 private scalar, base64url.
    public var privateKey: String
    /// The counter of the last assertion made; the next one exceeds it.
    public var signCount: UInt32
    /// The genesis document digest (hex) of the cluster the credential was made for: the CLI
    /// signs nothing for a gateway that serves another cluster. Absent in files made before
    /// clusters were pinned.
    public var cluster: String?

    public init(user: String, relyingPartyId: String, origin: String, authenticator: SoftwareAuthenticator, cluster: [UInt8]? = nil) {
        self.user = user
        self.relyingPartyId = relyingPartyId
        self.origin = origin
        self.cluster = cluster?.hexString
        credentialId = Base64URL.encode(authenticator.credentialId)
        privateKey = authenticator.unsafePrivateKeyRepresentation.withUnsafeBytes { Base64URL.encode($0) }
        signCount = authenticator.signCount
    }

    /// The authenticator this file holds.
    public func authenticator() throws(WebAuthnError) -> SoftwareAuthenticator {
        guard let id = Base64URL.decode(credentialId), !id.isEmpty, id.count <= AuthenticatorData.maxCredentialIdLength else {
            throw WebAuthnError(.malformed, "the credential file's credentialId is not base64url of 1 to \(AuthenticatorData.maxCredentialIdLength) bytes")
        }
        guard let key = Base64URL.decode(privateKey), key.count == 32 else {
            throw WebAuthnError(.malformed, "the credential file's privateKey is not a base64url P-256 scalar")
        }
        do { return try SoftwareAuthenticator(privateKeyRepresentation: SecretBytes(key), credentialId: id, signCount: signCount) } catch {
            throw WebAuthnError(.malformed, "the credential file's privateKey is not a valid P-256 key")
        }
    }

    /// Records the counter after an assertion (the caller writes the file back before sending).
    public mutating func update(from authenticator: SoftwareAuthenticator) { signCount = authenticator.signCount }

    public var description: String { "SoftwareCredentialFile(\(user), credential \(credentialId.prefix(16))…, key redacted)" }
}
