import Crypto
import CustosCore
import CustosCrypto

/// A credential public key in COSE_Key form (RFC 9052 §7, RFC 9053 §2.1 and §7), limited to the
/// two kinds Custos accepts: ES256 (kty 2 EC2, alg −7, crv 1 P-256, 32-byte x and y on the
/// curve) and EdDSA (kty 1 OKP, alg −8, crv 6 Ed25519, 32-byte x of a prime-order point).
/// Anything else is refused with `unsupportedKey` or `invalidKey`.
public struct COSEKey: Sendable, Hashable, CustomStringConvertible {
    public enum Algorithm: Int64, Sendable, Hashable {
        /// ECDSA with SHA-256 on P-256.
        case es256 = -7
        /// EdDSA on Ed25519.
        case edDSA = -8
    }

    enum Key: Sendable {
        case p256(P256.Signing.PublicKey)
        case ed25519(Curve25519.Signing.PublicKey)
    }

    public let algorithm: Algorithm
    /// The key's CBOR bytes exactly as the authenticator sent them; what a credential record stores.
    public let encoded: [UInt8]
    let key: Key

    /// Parses a COSE_Key from CBOR that must span all of `bytes`.
    public init(cbor bytes: [UInt8]) throws(WebAuthnError) {
        let value: CBORValue
        do {
            value = try CBORDecoder(maxDepth: 4, maxInputBytes: 1024).decode(bytes)
        } catch {
            throw WebAuthnError(.malformed, "credential public key: CBOR \(error)")
        }
        try self.init(value, encoded: bytes)
    }

    init(_ value: CBORValue, encoded: [UInt8]) throws(WebAuthnError) {
        guard let map = value.mapValue else {
            throw WebAuthnError(.malformed, "a COSE key is a CBOR map, not a \(value.typeName)")
        }
        func label(_ l: Int64) -> CBORValue? { value[.int(l)] }
        for entry in map {
            guard let l = entry.key.int64 else {
                throw WebAuthnError(.unsupportedKey, "COSE key has a non-integer label")
            }
            guard [1, 2, 3, -1, -2, -3].contains(l) else {
                throw WebAuthnError(.unsupportedKey, "COSE key has the unexpected label \(l)")
            }
        }
        guard let kty = label(1)?.int64 else {
            throw WebAuthnError(.malformed, "COSE key has no integer kty (label 1)")
        }
        guard let alg = label(3)?.int64 else {
            throw WebAuthnError(.malformed, "COSE key has no integer alg (label 3)")
        }
        if let kid = label(2), kid.bytesValue == nil {
            throw WebAuthnError(.malformed, "COSE key kid (label 2) is a \(kid.typeName), not a byte string")
        }
        guard let crv = label(-1)?.int64 else {
            throw WebAuthnError(.malformed, "COSE key has no integer crv (label -1)")
        }
        switch (kty, alg) {
        case (2, -7):
            guard crv == 1 else { throw WebAuthnError(.unsupportedKey, "ES256 key on curve \(crv); only P-256 (1)") }
            guard let x = label(-2)?.bytesValue, let y = label(-3)?.bytesValue else {
                throw WebAuthnError(.malformed, "EC2 key needs byte strings x (label -2) and y (label -3)")
            }
            guard x.count == 32, y.count == 32 else {
                throw WebAuthnError(.invalidKey, "P-256 coordinates are 32 bytes each, not \(x.count) and \(y.count)")
            }
            do {
                key = .p256(try P256.Signing.PublicKey(x963Representation: [0x04] + x + y))
            } catch {
                throw WebAuthnError(.invalidKey, "the P-256 point (x, y) is not on the curve")
            }
            algorithm = .es256
        case (1, -8):
            guard crv == 6 else { throw WebAuthnError(.unsupportedKey, "EdDSA key on curve \(crv); only Ed25519 (6)") }
            guard label(-3) == nil else { throw WebAuthnError(.malformed, "OKP key has a y coordinate (label -3)") }
            guard let x = label(-2)?.bytesValue else {
                throw WebAuthnError(.malformed, "OKP key needs a byte string x (label -2)")
            }
            guard x.count == 32 else { throw WebAuthnError(.invalidKey, "an Ed25519 key is 32 bytes, not \(x.count)") }
            do {
                _ = try Ed25519.Point(rawRepresentation: x)
                key = .ed25519(try Curve25519.Signing.PublicKey(rawRepresentation: x))
            } catch {
                throw WebAuthnError(.invalidKey, "the Ed25519 key is not a point of the prime-order subgroup")
            }
            algorithm = .edDSA
        default:
            throw WebAuthnError(
                .unsupportedKey, "COSE key type \(kty) with algorithm \(alg); only ES256 (2, -7) and EdDSA (1, -8)")
        }
        self.encoded = encoded
    }

    /// The CTAP2-canonical COSE encoding of a P-256 public key (what an authenticator sends).
    public init(p256 publicKey: P256.Signing.PublicKey) {
        let point = Array(publicKey.x963Representation)
        let value = CBORValue.map([
            (.int(1), .int(2)), (.int(3), .int(-7)), (.int(-1), .int(1)),
            (.int(-2), .bytes(Array(point[1..<33]))), (.int(-3), .bytes(Array(point[33..<65]))),
        ])
        algorithm = .es256
        key = .p256(publicKey)
        encoded = CBOREncoder.encode(value)
    }

    /// The CTAP2-canonical COSE encoding of an Ed25519 public key.
    public init(ed25519 publicKey: Curve25519.Signing.PublicKey) {
        let value = CBORValue.map([
            (.int(1), .int(1)), (.int(3), .int(-8)), (.int(-1), .int(6)),
            (.int(-2), .bytes(Array(publicKey.rawRepresentation))),
        ])
        algorithm = .edDSA
        key = .ed25519(publicKey)
        encoded = CBOREncoder.encode(value)
    }

    /// Verifies a WebAuthn signature over `data`: for ES256 a DER ECDSA signature over
    /// SHA-256(data), either S half (WebAuthn §6.5.5 does not require low S); for EdDSA the
    /// 64-byte Ed25519 signature.
    public func isValidSignature(_ signature: [UInt8], for data: [UInt8]) -> Bool {
        switch key {
        case .p256(let publicKey):
            guard let sig = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return publicKey.isValidSignature(sig, for: data)
        case .ed25519(let publicKey):
            guard signature.count == 64 else { return false }
            return publicKey.isValidSignature(signature, for: data)
        }
    }

    public static func == (lhs: COSEKey, rhs: COSEKey) -> Bool { lhs.encoded == rhs.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }

    public var description: String { "COSEKey(\(algorithm), \(encoded.hexString))" }
}
