import Crypto
import CustosCore
import CustosCrypto

/// A bot's registered public key: Ed25519 (32 bytes) or P-256 (65-byte uncompressed SEC1 point).
/// Validated on init; verification is `isValidSignature(_:for:)`.
public struct BotPublicKey: Sendable, Hashable, Codable {
    public enum Algorithm: String, Sendable, Hashable, Codable {
        /// Ed25519 (RFC 8032); signatures are 64 bytes.
        case ed25519 = "Ed25519"
        /// ECDSA P-256 with SHA-256; signatures are 64 bytes r ‖ s (as JWS ES256), either S half.
        case p256 = "ES256"
    }

    public let algorithm: Algorithm
    public let rawRepresentation: [UInt8]

    public init(algorithm: Algorithm, rawRepresentation: [UInt8]) throws(RequestSigningError) {
        switch algorithm {
        case .ed25519:
            guard rawRepresentation.count == 32, (try? Ed25519.Point(rawRepresentation: rawRepresentation)) != nil else {
                throw RequestSigningError(.invalidKey, "not an Ed25519 public key of the prime-order subgroup")
            }
        case .p256:
            guard rawRepresentation.count == 65, (try? P256.Signing.PublicKey(x963Representation: rawRepresentation)) != nil
            else {
                throw RequestSigningError(.invalidKey, "not an uncompressed P-256 point on the curve")
            }
        }
        self.algorithm = algorithm
        self.rawRepresentation = rawRepresentation
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            algorithm: container.decode(Algorithm.self, forKey: .algorithm),
            rawRepresentation: container.decode([UInt8].self, forKey: .rawRepresentation))
    }

    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64 else { return false }
        switch algorithm {
        case .ed25519:
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation) else { return false }
            return key.isValidSignature(signature, for: message)
        case .p256:
            guard let key = try? P256.Signing.PublicKey(x963Representation: rawRepresentation),
                let sig = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
            else { return false }
            return key.isValidSignature(sig, for: message)
        }
    }
}
