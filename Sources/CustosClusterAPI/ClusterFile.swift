import CustosCore
import CustosLedger
import Foundation

/// The cluster file every node and the gateway read: the members' ids and Ed25519 identity
/// public keys, the genesis time and the genesis document. Public data only: it never holds a
/// key, a passphrase or a token.
public struct ClusterFile: Codable, Sendable, Equatable {
    public struct MemberKey: Codable, Sendable, Equatable, Hashable {
        public var id: String
        /// The Ed25519 identity public key, 64 hex digits.
        public var publicKey: String

        public init(id: String, publicKey: String) {
            self.id = id
            self.publicKey = publicKey
        }
    }

    public var name: String
    /// Milliseconds since the Unix epoch.
    public var genesisTimestamp: UInt64
    /// The genesis document, base64 (opaque to the ledger); empty when absent.
    public var genesisDocument: String?
    public var members: [MemberKey]

    public init(name: String, genesisTimestamp: UInt64, genesisDocument: String? = nil, members: [MemberKey]) {
        self.name = name
        self.genesisTimestamp = genesisTimestamp
        self.genesisDocument = genesisDocument
        self.members = members
    }

    /// Reads and validates the file at `path`; errors name the path and the problem.
    public static func load(path: String) throws -> ClusterConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClusterAPIError(.invalidClusterFile, "cannot read the cluster file \(path)")
        }
        let file: ClusterFile
        do { file = try JSONDecoder().decode(ClusterFile.self, from: data) } catch {
            throw ClusterAPIError(.invalidClusterFile, "the cluster file \(path) is not valid: \(error)")
        }
        return try file.configuration()
    }

    /// The cluster configuration (and so the genesis digest) this file describes.
    public func configuration() throws -> ClusterConfiguration {
        var document: [UInt8] = []
        if let genesisDocument {
            guard let bytes = Data(base64Encoded: genesisDocument) else {
                throw ClusterAPIError(.invalidClusterFile, "the genesis document is not base64")
            }
            document = Array(bytes)
        }
        let members = try self.members.map { m throws -> Member in
            guard m.publicKey.utf8.count == 64, let key = try? [UInt8](hex: m.publicKey), key.count == 32 else {
                throw ClusterAPIError(.invalidClusterFile, "member \(m.id): the public key is not 64 hex digits")
            }
            return try Member(id: try NodeID(m.id), publicKeyBytes: key)
        }
        return try ClusterConfiguration(name: name, members: members, genesisTimestamp: genesisTimestamp,
                                        genesisDocument: document)
    }
}
