import CustosCore
import Foundation

/// The small public file in a node's data folder (`node.json`) that says which node it is, what
/// it is for, and how its secrets are sealed: the PKCS#11 module, token and key label, or a
/// development passphrase. It never holds a secret (no PIN, no passphrase, no key).
public struct NodeConfiguration: Codable, Sendable, Equatable {
    public static let fileName = "node.json"

    /// How the node's secrets are sealed at rest.
    public struct Sealing: Codable, Sendable, Equatable {
        public enum Method: String, Codable, Sendable {
            /// AES-256-GCM under a non-extractable key inside a PKCS#11 token (an HSM).
            case pkcs11
            /// DEVELOPMENT ONLY: under a key sealed by a passphrase (Argon2id).
            case passphrase
        }

        public var method: Method
        /// The PKCS#11 module's path (`pkcs11` only).
        public var module: String?
        /// The token's label (`pkcs11` only).
        public var token: String?
        /// The label of the sealing key on the token (`pkcs11` only).
        public var keyLabel: String?

        public static func pkcs11(module: String, token: String, keyLabel: String) -> Sealing {
            Sealing(method: .pkcs11, module: module, token: token, keyLabel: keyLabel)
        }

        public static let passphrase = Sealing(method: .passphrase, module: nil, token: nil, keyLabel: nil)

        public var summary: String {
            switch method {
            case .pkcs11: "the PKCS#11 token \(token ?? "?") (module \(module ?? "?"), key \(keyLabel ?? "?"))"
            case .passphrase: "a development passphrase"
            }
        }
    }

    public var id: String
    public var environment: NodeEnvironment
    public var sealing: Sealing
    /// The gateways' base URLs, in order of preference, for `custos node run` without
    /// `--gateway`; absent when the node is always told on the command line. Several gateways
    /// share one PostgreSQL store; the node moves on to the next when one stops answering.
    public var gateways: [String]?

    /// Refuses what `validate()` refuses.
    public init(id: String, environment: NodeEnvironment, sealing: Sealing) throws(StorageError) {
        self.id = id
        self.environment = environment
        self.sealing = sealing
        try validate()
    }

    /// Refuses an empty id, a token seal missing its module, token or key label, and a
    /// production node sealed under a passphrase.
    public func validate() throws(StorageError) {
        guard !id.isEmpty else { throw StorageError(.misconfigured, "the node configuration has no id") }
        switch sealing.method {
        case .pkcs11:
            for (name, value) in [("module", sealing.module), ("token", sealing.token), ("key label", sealing.keyLabel)]
            where value?.isEmpty ?? true {
                throw StorageError(.misconfigured, "node \(id): a PKCS#11 seal needs a \(name)")
            }
        case .passphrase:
            guard environment == .development else {
                throw StorageError(.misconfigured,
                                   "node \(id) is a production node: it seals its secrets in a PKCS#11 token, never under a passphrase")
            }
        }
    }

    /// Reads and validates `node.json` in `dataFolder`.
    public static func load(dataFolder: String) throws(StorageError) -> NodeConfiguration {
        let path = (dataFolder as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StorageError(.misconfigured, "cannot read \(path); run custos node init first")
        }
        let configuration: NodeConfiguration
        do { configuration = try JSONDecoder().decode(NodeConfiguration.self, from: data) } catch {
            throw StorageError(.misconfigured, "\(path) is not a node configuration: \(error)")
        }
        try configuration.validate()
        return configuration
    }

    /// Writes `node.json` in `dataFolder`, durably; refuses to replace one.
    public func save(dataFolder: String) throws(StorageError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(self) } catch { throw StorageError(.invalidInput, "cannot encode the node configuration: \(error)") }
        try SecretFile.write((dataFolder as NSString).appendingPathComponent(Self.fileName), Array(data), replacing: false)
    }
}
