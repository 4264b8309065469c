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
            throw ClusterAPIError("cannot read the cluster file \(path)")
        }
        let file: ClusterFile
        do { file = try JSONDecoder().decode(ClusterFile.self, from: data) } catch {
            throw ClusterAPIError("the cluster file \(path) is not valid: \(error)")
        }
        return try file.configuration()
    }

    /// The cluster configuration (and so the genesis digest) this file describes.
    public func configuration() throws -> ClusterConfiguration {
        var document: [UInt8] = []
        if let genesisDocument {
            guard let bytes = Data(base64Encoded: genesisDocument) else {
                throw ClusterAPIError("the genesis document is not base64")
            }
            document = Array(bytes)
        }
        let members = try self.members.map { m throws -> Member in
            guard let key = Hex.decode(m.publicKey), key.count == 32 else {
                throw ClusterAPIError("member \(m.id): the public key is not 64 hex digits")
            }
            return try Member(id: try NodeID(m.id), publicKeyBytes: key)
        }
        return try ClusterConfiguration(name: name, members: members, genesisTimestamp: genesisTimestamp,
                                        genesisDocument: document)
    }
}

/// A one-line failure at the edge of the cluster services (files, wire shapes).
public struct ClusterAPIError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Lower-case hex without a dependency on the crypto target.
public enum Hex {
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
