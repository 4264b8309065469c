import CustosCore
import CustosLedger
import Foundation

/// The cluster file every node and the gateway read: the members' ids, Ed25519 identity
/// public keys and X25519 transport public keys, the genesis time and the genesis document. Public data only: it never holds a
/// key, a passphrase or a token.
public struct ClusterFile: Codable, Sendable, Equatable {
    public struct MemberKey: Codable, Sendable, Equatable, Hashable {
        public var id: String
        /// The Ed25519 identity public key, 64 hex digits.
        public var publicKey: String
        /// The X25519 transport public key (HPKE), 64 hex digits.
        public var transportKey: String

        public init(id: String, publicKey: String, transportKey: String) {
            self.id = id
            self.publicKey = publicKey
            self.transportKey = transportKey
        }

        public init(_ member: Member) {
            self.init(id: member.id.rawValue, publicKey: member.publicKeyBytes.hexString,
                      transportKey: member.transportKeyBytes.hexString)
        }

        /// The member this entry names; refuses keys that are not 64 hex digits, or that
        /// `Member` refuses. `code` is what a malformed key is reported as.
        public func member(code: ClusterAPIErrorCode = .invalidClusterFile) throws -> Member {
            func key(_ hex: String, _ what: String) throws -> [UInt8] {
                guard hex.utf8.count == 64, let key = try? [UInt8](hex: hex), key.count == 32 else {
                    throw ClusterAPIError(code, "member \(id.printable(limit: 64)): the \(what) is not 64 hex digits")
                }
                return key
            }
            return try Member(id: try NodeID(id), publicKeyBytes: try key(publicKey, "public key"),
                              transportKeyBytes: try key(transportKey, "transport key"))
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
        let members = try self.members.map { try $0.member() }
        return try ClusterConfiguration(name: name, members: members, genesisTimestamp: genesisTimestamp,
                                        genesisDocument: document)
    }
}
