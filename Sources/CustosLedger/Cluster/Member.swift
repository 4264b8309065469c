import Crypto
import CustosCore
import CustosCrypto

/// One signer node of the cluster: its id, its Ed25519 identity public key, with which it signs
/// votes and its MPC messages, and its X25519 transport public key, to which other nodes encrypt
/// the MPC messages meant for it (HPKE).
public struct Member: Sendable, Hashable, CustomStringConvertible {
    public let id: NodeID
    public let publicKey: Curve25519.Signing.PublicKey
    public let transportKey: Curve25519.KeyAgreement.PublicKey

    /// Refuses an identity key that is not a canonical point of the prime-order subgroup
    /// (small-order and identity keys would let anyone forge that member's votes), and a
    /// transport key of low order (all-zero included: every message encrypted to it would be
    /// readable by anyone).
    public init(id: NodeID, publicKey: Curve25519.Signing.PublicKey, transportKey: Curve25519.KeyAgreement.PublicKey) throws(LedgerError) {
        do {
            _ = try Ed25519.Point(rawRepresentation: Array(publicKey.rawRepresentation))
        } catch {
            throw LedgerError(.invalidConfiguration, "member \(id): identity key refused: \(error.reason)", culprit: id)
        }
        guard Self.hasLargeOrder(transportKey) else {
            throw LedgerError(.invalidConfiguration, "member \(id): transport key refused: a low-order X25519 point", culprit: id)
        }
        self.id = id
        self.publicKey = publicKey
        self.transportKey = transportKey
    }

    public init(id: NodeID, publicKeyBytes: [UInt8], transportKeyBytes: [UInt8]) throws(LedgerError) {
        let key: Curve25519.Signing.PublicKey
        do { key = try Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes) } catch {
            throw LedgerError(.invalidConfiguration, "member \(id): an Ed25519 public key has 32 bytes, not \(publicKeyBytes.count)", culprit: id)
        }
        let transport: Curve25519.KeyAgreement.PublicKey
        do { transport = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: transportKeyBytes) } catch {
            throw LedgerError(.invalidConfiguration, "member \(id): an X25519 public key has 32 bytes, not \(transportKeyBytes.count)", culprit: id)
        }
        try self.init(id: id, publicKey: key, transportKey: transport)
    }

    public var publicKeyBytes: [UInt8] { Array(publicKey.rawRepresentation) }

    public var transportKeyBytes: [UInt8] { Array(transportKey.rawRepresentation) }

    public static func == (a: Member, b: Member) -> Bool {
        a.id == b.id && a.publicKeyBytes == b.publicKeyBytes && a.transportKeyBytes == b.transportKeyBytes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(publicKeyBytes)
        hasher.combine(transportKeyBytes)
    }

    public var description: String { "\(id) (\(publicKeyBytes.hexString.prefix(16)))" }

    /// A fixed clamped scalar: X25519 of any low-order point with it is the all-zero output
    /// (the clamped scalar is a multiple of the cofactor 8), and of any other point is not.
    private static let probe = try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: [UInt8](repeating: 0x5a, count: 32))

    private static func hasLargeOrder(_ key: Curve25519.KeyAgreement.PublicKey) -> Bool {
        guard let shared = try? probe.sharedSecretFromKeyAgreement(with: key) else { return false }
        return shared.withUnsafeBytes { bytes in bytes.contains { $0 != 0 } }
    }
}

/// A member as its id and raw keys, decoded through the same checks as `init(id:publicKeyBytes:transportKeyBytes:)`.
extension Member: Codable {
    private enum CodingKeys: String, CodingKey { case id, publicKey, transportKey }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(id: try c.decode(NodeID.self, forKey: .id), publicKeyBytes: try c.decode([UInt8].self, forKey: .publicKey),
                      transportKeyBytes: try c.decode([UInt8].self, forKey: .transportKey))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(publicKeyBytes, forKey: .publicKey)
        try c.encode(transportKeyBytes, forKey: .transportKey)
    }
}
