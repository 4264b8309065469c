import Crypto
import CustosCrypto

/// A bot's private key, for the client side of request signing (SDKs, tests, the CLI).
public struct BotSigningKey: Sendable, CustomStringConvertible {
    enum Key: Sendable {
        case ed25519(Curve25519.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
    }

    let key: Key

    public init(ed25519 key: Curve25519.Signing.PrivateKey) { self.key = .ed25519(key) }
    public init(p256 key: P256.Signing.PrivateKey) { self.key = .p256(key) }

    public var publicKey: BotPublicKey {
        // The public halves of valid private keys always validate.
        switch key {
        case .ed25519(let k): return try! BotPublicKey(algorithm: .ed25519, rawRepresentation: Array(k.publicKey.rawRepresentation))
        case .p256(let k): return try! BotPublicKey(algorithm: .p256, rawRepresentation: Array(k.publicKey.x963Representation))
        }
    }

    /// A 64-byte signature over `message` (Ed25519, or P-256 r ‖ s over SHA-256(message)).
    public func signature(for message: [UInt8]) -> [UInt8] {
        switch key {
        case .ed25519(let k): return Array(try! k.signature(for: message))
        case .p256(let k): return Array(try! k.signature(for: message).rawRepresentation)
        }
    }

    public var description: String { "BotSigningKey(\(publicKey.algorithm.rawValue), redacted)" }
}
