import Crypto
import CustosCore
import CustosCrypto

/// A development bot's signing key as a JSON key file (Ed25519). It holds a private key: files
/// are mode 0600; a production bot keeps its key in its own secret store. `description` never
/// shows the key.
public struct BotKeyFile: Codable, Sendable, CustomStringConvertible {
    public var warning = "DEVELOPMENT bot key: it holds a private key"
    public var bot: String
    /// The Ed25519 private key (seed), base64url.
    public var privateKey: String
    /// The genesis document digest (hex) of the cluster the bot was registered in: the CLI
    /// signs nothing for a gateway that serves another cluster. Absent in files made before
    /// clusters were pinned.
    public var cluster: String?

    public init(bot: String, key: Curve25519.Signing.PrivateKey, cluster: [UInt8]? = nil) {
        self.bot = bot
        self.cluster = cluster?.hexString
        privateKey = Base64URL.encode(Array(key.rawRepresentation))
    }

    public func signingKey() throws(RequestSigningError) -> BotSigningKey {
        guard let raw = Base64URL.decode(privateKey), raw.count == 32,
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw RequestSigningError(.invalidKey, "the bot key file's privateKey is not a base64url Ed25519 seed")
        }
        return BotSigningKey(ed25519: key)
    }

    public var description: String { "BotKeyFile(\(bot), key redacted)" }
}
