import Crypto
import CustosCore
import CustosCrypto
import Foundation

/// A node's own private keys, opened from its data folder: the Ed25519 identity key (votes,
/// MPC message signatures) and the X25519 transport key (MPC messages encrypted to it), each
/// sealed by the node's `NodeSeal`, with the configuration and the seal that opened them.
/// The keys never print: `description` shows the node, its environment and its seal only.
public struct NodeKeys: Sendable, CustomStringConvertible {
    public static let identityKeyFile = "identity.sealed"
    public static let transportKeyFile = "transport.sealed"

    public let configuration: NodeConfiguration
    /// The seal for every other secret the node keeps (the sealed secret store of `NodeDatabase`).
    public let seal: NodeSeal
    public let signingKey: Curve25519.Signing.PrivateKey
    public let transportKey: Curve25519.KeyAgreement.PrivateKey

    public var environment: NodeEnvironment { configuration.environment }

    /// Creates a new node in `dataFolder` (made if missing, mode 0700): generates its identity
    /// and transport keys, seals them, and writes them with `node.json`. Refuses a folder that
    /// already holds a node, and a production configuration with a passphrase seal; a token
    /// that cannot be opened (module, token, PIN) leaves no key behind. A node restored from a
    /// backup passes its keys as `restoring` instead: they are sealed under the new seal as made ones are.
    public static func create(dataFolder: String, configuration: NodeConfiguration, credential: NodeSeal.Credential,
                              restoring keys: (identity: SecretBytes, transport: SecretBytes)? = nil) throws(StorageError) -> NodeKeys {
        try configuration.validate()
        let folder = dataFolder as NSString
        for file in [NodeConfiguration.fileName, identityKeyFile, transportKeyFile, NodeSeal.storageKeyFile]
        where FileManager.default.fileExists(atPath: folder.appendingPathComponent(file)) {
            throw StorageError(.alreadyExists, "\(folder.appendingPathComponent(file)) already exists; refusing to replace a node's keys")
        }
        do {
            try FileManager.default.createDirectory(atPath: dataFolder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StorageError(.databaseFailure, "cannot create the data folder \(dataFolder): \(error)")
        }
        let restored = try keys.map { keys throws(StorageError) in try decode(identity: keys.identity, transport: keys.transport, configuration) }
        let seal = try NodeSeal.create(configuration: configuration, dataFolder: dataFolder, credential: credential)
        let signingKey = restored?.signing ?? Curve25519.Signing.PrivateKey()
        let transportKey = restored?.transport ?? Curve25519.KeyAgreement.PrivateKey()
        let sealedIdentity = try seal.seal(SecretBytes(signingKey.rawRepresentation), context: context(identityKeyFile, configuration))
        let sealedTransport = try seal.seal(SecretBytes(transportKey.rawRepresentation), context: context(transportKeyFile, configuration))
        try SecretFile.write(folder.appendingPathComponent(identityKeyFile), sealedIdentity, replacing: false)
        try SecretFile.write(folder.appendingPathComponent(transportKeyFile), sealedTransport, replacing: false)
        // Last: a folder with node.json holds a complete node.
        try configuration.save(dataFolder: dataFolder)
        return NodeKeys(configuration: configuration, seal: seal, signingKey: signingKey, transportKey: transportKey)
    }

    /// Opens the node in `dataFolder` with the credential its configuration asks for; refuses a
    /// credential of the other kind, and names what the token or the seal refused.
    public static func open(dataFolder: String, credential: NodeSeal.Credential) throws(StorageError) -> NodeKeys {
        let configuration = try NodeConfiguration.load(dataFolder: dataFolder)
        let seal = try NodeSeal.open(configuration: configuration, dataFolder: dataFolder, credential: credential)
        let signing = try openKey(identityKeyFile, dataFolder: dataFolder, configuration: configuration, seal: seal)
        let transport = try openKey(transportKeyFile, dataFolder: dataFolder, configuration: configuration, seal: seal)
        let keys = try decode(identity: signing, transport: transport, configuration)
        return NodeKeys(configuration: configuration, seal: seal, signingKey: keys.signing, transportKey: keys.transport)
    }

    /// The identity and transport keys from their 32 bytes each; refuses anything else.
    private static func decode(identity: SecretBytes, transport: SecretBytes, _ configuration: NodeConfiguration)
        throws(StorageError) -> (signing: Curve25519.Signing.PrivateKey, transport: Curve25519.KeyAgreement.PrivateKey) {
        do {
            return (try Curve25519.Signing.PrivateKey(rawRepresentation: identity.unsafeCopyBytes()),
                    try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: transport.unsafeCopyBytes()))
        } catch {
            throw StorageError(.invalidInput, "node \(configuration.id): an identity or transport key is not a 32-byte key")
        }
    }

    private static func openKey(_ file: String, dataFolder: String, configuration: NodeConfiguration,
                                seal: NodeSeal) throws(StorageError) -> SecretBytes {
        let path = (dataFolder as NSString).appendingPathComponent(file)
        guard let sealed = FileManager.default.contents(atPath: path) else {
            throw StorageError(.misconfigured, "cannot read \(path); run custos node init first")
        }
        do { return try seal.open(Array(sealed), context: context(file, configuration)) } catch {
            throw StorageError(error.code, "cannot open \(path): \(error.reason)")
        }
    }

    /// Binds a sealed key to its file and its node: a key file copied to another name or node does not open.
    private static func context(_ file: String, _ configuration: NodeConfiguration) -> [UInt8] {
        var w = CanonicalWriter()
        w.append(string: "custos.node.key.v1")
        w.append(string: configuration.id)
        w.append(string: file)
        return w.bytes
    }

    public var description: String { "NodeKeys(\(configuration.id), \(environment.rawValue), sealed in \(configuration.sealing.summary))" }
}
