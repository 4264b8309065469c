import CSodium
import CustosCore
import CustosCrypto
import Foundation

/// The one way a node seals every secret it keeps at rest — its identity and transport keys,
/// vault key shares, presignatures, FROST nonces — whatever its configuration names: a key
/// inside a PKCS#11 token (`PKCS11Seal`), or on a development node a storage key sealed under a
/// passphrase (`PassphraseSeal`, opened once when the node starts).
///
/// Every sealed blob is bound to a context (what it is and whose it is): opening it under any
/// other context is refused, so a blob moved to another row, node or purpose never opens.
/// A seal never prints, logs or returns a secret in an error.
public final class NodeSeal: Sendable, CustomStringConvertible {
    /// What the operator gives to open the seal; never stored.
    public enum Credential: Sendable {
        /// The PIN of the node's PKCS#11 token.
        case pin(SecretBytes)
        /// DEVELOPMENT ONLY: the passphrase sealing the node's storage key.
        case passphrase(SecretBytes)
    }

    private enum Backend: Sendable {
        case token(PKCS11Seal, keyLabel: String)
        case storageKey(SecretBytes)
    }

    /// The file, in a development node's data folder, holding its storage key sealed under the passphrase.
    public static let storageKeyFile = "storage-key.sealed"

    static let magic: [UInt8] = Array("CUSTOS-NODE-1".utf8)

    public let environment: NodeEnvironment
    /// How the secrets are sealed, as the configuration names it.
    public let sealing: NodeConfiguration.Sealing
    private let backend: Backend

    private init(configuration: NodeConfiguration, backend: Backend) {
        environment = configuration.environment
        sealing = configuration.sealing
        self.backend = backend
    }

    /// Opens the seal of the node configured by `configuration` in `dataFolder`. Refuses a
    /// credential of the wrong kind, and whatever the token or the sealed storage key refuses
    /// (missing module, unknown token, wrong PIN, wrong passphrase), with the reason.
    public static func open(configuration: NodeConfiguration, dataFolder: String, credential: Credential) throws(StorageError) -> NodeSeal {
        try configuration.validate()
        switch (configuration.sealing.method, credential) {
        case (.pkcs11, .pin(let pin)):
            return try NodeSeal(configuration: configuration, backend: token(configuration, pin: pin))
        case (.passphrase, .passphrase(let passphrase)):
            let path = (dataFolder as NSString).appendingPathComponent(storageKeyFile)
            guard let sealed = FileManager.default.contents(atPath: path) else {
                throw StorageError(.misconfigured, "cannot read \(path); run custos node init first")
            }
            let key: SecretBytes
            do { key = try PassphraseSeal.open(Array(sealed), passphrase: passphrase) } catch {
                throw StorageError(error.code, "cannot open \(path): \(error.reason)")
            }
            guard key.count == Int(crypto_aead_xchacha20poly1305_ietf_keybytes()) else {
                throw StorageError(.misconfigured, "\(path) does not hold a storage key")
            }
            return NodeSeal(configuration: configuration, backend: .storageKey(key))
        case (.pkcs11, .passphrase):
            throw StorageError(.misconfigured,
                               "node \(configuration.id) seals its secrets in \(configuration.sealing.summary): give the token's PIN, not a passphrase")
        case (.passphrase, .pin):
            throw StorageError(.misconfigured,
                               "node \(configuration.id) seals its secrets under a development passphrase: give the passphrase, not a PIN")
        }
    }

    /// Creates the seal of a new node: logs in to its token (the sealing key is made on the
    /// token at the first seal), or makes a random storage key and writes it sealed under the
    /// passphrase. Refuses to replace an existing storage key.
    public static func create(configuration: NodeConfiguration, dataFolder: String, credential: Credential) throws(StorageError) -> NodeSeal {
        if case .passphrase(let passphrase) = credential, configuration.sealing.method == .passphrase {
            try configuration.validate()
            let key = SecretBytes(randomCount: Int(crypto_aead_xchacha20poly1305_ietf_keybytes()))
            let sealed = try PassphraseSeal.seal(key, passphrase: passphrase, strength: .interactive)
            try SecretFile.write((dataFolder as NSString).appendingPathComponent(storageKeyFile), sealed, replacing: false)
        }
        return try open(configuration: configuration, dataFolder: dataFolder, credential: credential)
    }

    private static func token(_ configuration: NodeConfiguration, pin: SecretBytes) throws(StorageError) -> Backend {
        let sealing = configuration.sealing
        guard let module = sealing.module, let token = sealing.token, let keyLabel = sealing.keyLabel else {
            throw StorageError(.misconfigured, "node \(configuration.id): incomplete PKCS#11 configuration")
        }
        return .token(try PKCS11Seal(modulePath: module, tokenLabel: token, pin: pin), keyLabel: keyLabel)
    }

    /// Seals `secret`, bound to `context`.
    public func seal(_ secret: SecretBytes, context: [UInt8]) throws(StorageError) -> [UInt8] {
        switch backend {
        case .token(let token, let keyLabel):
            return try token.seal(secret, keyLabel: keyLabel, associatedData: context)
        case .storageKey(let key):
            precondition(Sodium.ready)
            let nonce = SecureRandom.bytes(count: Int(crypto_aead_xchacha20poly1305_ietf_npubbytes()))
            var ciphertext = [UInt8](repeating: 0, count: secret.count + Int(crypto_aead_xchacha20poly1305_ietf_abytes()))
            var length: UInt64 = 0
            let rc = secret.withUnsafeBytes { plain in
                key.withBytes { k in
                    crypto_aead_xchacha20poly1305_ietf_encrypt(
                        &ciphertext, &length, plain.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(plain.count),
                        context, UInt64(context.count), nil, nonce, k)
                }
            }
            guard rc == 0 else { throw StorageError(.databaseFailure, "sealing failed") }
            return Self.magic + nonce + ciphertext.prefix(Int(length))
        }
    }

    /// Opens what `seal` sealed under the same `context`; refuses altered bytes, another
    /// context, and blobs sealed by another backend or node, with no partial output.
    public func open(_ sealed: [UInt8], context: [UInt8]) throws(StorageError) -> SecretBytes {
        switch backend {
        case .token(let token, let keyLabel):
            return try token.open(sealed, keyLabel: keyLabel, associatedData: context)
        case .storageKey(let key):
            precondition(Sodium.ready)
            let nonceCount = Int(crypto_aead_xchacha20poly1305_ietf_npubbytes())
            let tagCount = Int(crypto_aead_xchacha20poly1305_ietf_abytes())
            guard sealed.count >= Self.magic.count + nonceCount + tagCount, Array(sealed.prefix(Self.magic.count)) == Self.magic else {
                throw StorageError(.invalidInput, "not a blob sealed under a development storage key, or truncated")
            }
            let nonce = Array(sealed[Self.magic.count..<(Self.magic.count + nonceCount)])
            let ciphertext = Array(sealed[(Self.magic.count + nonceCount)...])
            var plain = [UInt8](repeating: 0, count: ciphertext.count - tagCount)
            defer { Sodium.memzero(&plain) }
            var length: UInt64 = 0
            let rc = key.withBytes { k in
                crypto_aead_xchacha20poly1305_ietf_decrypt(
                    &plain, &length, nil, ciphertext, UInt64(ciphertext.count), context, UInt64(context.count), nonce, k)
            }
            guard rc == 0 else {
                throw StorageError(.invalidInput, "the sealed bytes do not open under this node's key: altered, moved, or sealed elsewhere")
            }
            return SecretBytes(plain.prefix(Int(length)))
        }
    }

    public var description: String { "NodeSeal(\(environment.rawValue), \(sealing.summary))" }
}
