import Crypto
import CustosCore
import CustosCrypto

/// One signer node of the cluster: its id and its Ed25519 identity public key, with which it
/// signs votes (and, elsewhere, its MPC messages).
public struct Member: Sendable, Hashable, CustomStringConvertible {
    public let id: NodeID
    public let publicKey: Curve25519.Signing.PublicKey

    /// Refuses keys that are not a canonical point of the prime-order subgroup (small-order and
    /// identity keys would let anyone forge that member's votes).
    public init(id: NodeID, publicKey: Curve25519.Signing.PublicKey) throws(LedgerError) {
        do {
            _ = try Ed25519.Point(rawRepresentation: Array(publicKey.rawRepresentation))
        } catch {
            throw LedgerError(.invalidConfiguration, "member \(id): identity key refused: \(error.reason)", culprit: id)
        }
        self.id = id
        self.publicKey = publicKey
    }

    public init(id: NodeID, publicKeyBytes: [UInt8]) throws(LedgerError) {
        let key: Curve25519.Signing.PublicKey
        do { key = try Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes) } catch {
            throw LedgerError(.invalidConfiguration, "member \(id): an Ed25519 public key has 32 bytes, not \(publicKeyBytes.count)", culprit: id)
        }
        try self.init(id: id, publicKey: key)
    }

    public var publicKeyBytes: [UInt8] { Array(publicKey.rawRepresentation) }

    public static func == (a: Member, b: Member) -> Bool { a.id == b.id && a.publicKeyBytes == b.publicKeyBytes }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(publicKeyBytes)
    }

    public var description: String { "\(id) (\(publicKeyBytes.hexString.prefix(16)))" }
}
