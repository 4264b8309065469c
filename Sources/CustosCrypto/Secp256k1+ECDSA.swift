import CSecp256k1
import CSodium
import CustosCore

extension Secp256k1 {
    /// Ordinary (single-key) ECDSA over secp256k1 through libsecp256k1 and its recovery
    /// module, as Ethereum uses it: deterministic RFC 6979 nonces, low-S signatures, and a
    /// recovery id so that the signer's public key can be recovered from the signature.
    ///
    /// Used for development keys and tests; production signing goes through threshold ECDSA.
    public enum ECDSA {}
}

extension Secp256k1.ECDSA {
    /// A secp256k1 secret key. It never prints its bytes and exposes no accessor for them;
    /// its storage is zeroed when the last copy goes away.
    public struct PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
        private let secret: SecretBytes

        /// A fresh key from the operating system's random generator.
        public init() {
            while true {
                var candidate = SecureRandom.bytes(count: 32)
                defer { Sodium.memzero(&candidate) }
                if let key = try? PrivateKey(rawRepresentation: candidate) {
                    self = key
                    return
                }
            }
        }

        /// A key from its 32 big-endian bytes; they must encode an integer in [1, n-1].
        public init(rawRepresentation bytes: some Collection<UInt8>) throws(CryptoError) {
            guard bytes.count == 32 else {
                throw CryptoError(.invalidLength, "a secp256k1 secret key is 32 bytes")
            }
            let secret = SecretBytes(bytes)
            let valid = secret.withBytes { secp256k1_ec_seckey_verify(Secp256k1.context, $0) == 1 }
            guard valid else {
                throw CryptoError(.outOfRange, "secret key is zero or not below the group order")
            }
            self.secret = secret
        }

        /// The matching public key.
        public var publicKey: PublicKey {
            var pubkey = secp256k1_pubkey()
            let ok = secret.withBytes { secp256k1_ec_pubkey_create(Secp256k1.context, &pubkey, $0) }
            precondition(ok == 1, "libsecp256k1 refused a validated secret key")
            return PublicKey(pubkey)
        }

        /// Signs a 32-byte digest (the caller hashes; for Ethereum, Keccak-256 of the signing
        /// payload). Deterministic (RFC 6979) and always low-S.
        public func signature(forDigest digest: some Collection<UInt8>) throws(CryptoError) -> RecoverableSignature {
            guard digest.count == 32 else {
                throw CryptoError(.invalidLength, "ECDSA signs a 32-byte digest")
            }
            let message = Array(digest)
            var signature = secp256k1_ecdsa_recoverable_signature()
            let ok = secret.withBytes {
                secp256k1_ecdsa_sign_recoverable(Secp256k1.context, &signature, message, $0, nil, nil)
            }
            guard ok == 1 else { throw CryptoError(.libraryFailure, "secp256k1_ecdsa_sign_recoverable failed") }
            var compact = [UInt8](repeating: 0, count: 64)
            var recid: Int32 = 0
            secp256k1_ecdsa_recoverable_signature_serialize_compact(Secp256k1.context, &compact, &recid, &signature)
            return try RecoverableSignature(
                r: compact[0..<32], s: compact[32..<64], recoveryID: UInt8(recid))
        }

        public var description: String { "Secp256k1.ECDSA.PrivateKey(redacted)" }
        public var debugDescription: String { description }
    }

    /// A secp256k1 public key (never the identity).
    public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
        /// 64 bytes: x and y, big-endian, without a prefix.
        public let rawRepresentation: [UInt8]

        fileprivate init(_ pubkey: secp256k1_pubkey) {
            var key = pubkey
            var out = [UInt8](repeating: 0, count: 65)
            var length = 65
            secp256k1_ec_pubkey_serialize(
                Secp256k1.context, &out, &length, &key, UInt32(SECP256K1_EC_UNCOMPRESSED))
            rawRepresentation = Array(out[1..<65])
        }

        /// Parses a 33-byte compressed or 65-byte uncompressed SEC1 encoding, or the 64-byte
        /// raw x‖y form; the point must be on the curve.
        public init(encoding bytes: some Collection<UInt8>) throws(CryptoError) {
            var input = Array(bytes)
            if input.count == 64 { input = [0x04] + input }
            guard input.count == 33 || input.count == 65 else {
                throw CryptoError(.invalidLength, "a secp256k1 public key is 33, 64 or 65 bytes")
            }
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ec_pubkey_parse(Secp256k1.context, &pubkey, input, input.count) == 1 else {
                throw CryptoError(.notOnCurve, "bytes are not a valid secp256k1 public key")
            }
            self.init(pubkey)
        }

        /// 65 bytes, 0x04 ‖ x ‖ y.
        public var uncompressedRepresentation: [UInt8] { [0x04] + rawRepresentation }

        /// 33 bytes, 0x02/0x03 ‖ x.
        public var compressedRepresentation: [UInt8] {
            [rawRepresentation[63] & 1 == 0 ? 0x02 : 0x03] + rawRepresentation[0..<32]
        }

        /// The 20-byte Ethereum address: the last 20 bytes of Keccak-256(x ‖ y).
        public var ethereumAddressBytes: [UInt8] {
            Array(Keccak256.hash(rawRepresentation)[12..<32])
        }

        /// Verifies a signature over a 32-byte digest. High-S signatures are rejected, as
        /// libsecp256k1 and Ethereum (EIP-2) do.
        public func isValidSignature(_ signature: RecoverableSignature, forDigest digest: some Collection<UInt8>) -> Bool {
            guard digest.count == 32 else { return false }
            var pubkey = secp256k1_pubkey()
            let encoded = uncompressedRepresentation
            guard secp256k1_ec_pubkey_parse(Secp256k1.context, &pubkey, encoded, 65) == 1 else { return false }
            var sig = secp256k1_ecdsa_signature()
            let compact = signature.r + signature.s
            guard secp256k1_ecdsa_signature_parse_compact(Secp256k1.context, &sig, compact) == 1 else {
                return false
            }
            return secp256k1_ecdsa_verify(Secp256k1.context, &sig, Array(digest), &pubkey) == 1
        }

        public var description: String { "Secp256k1.ECDSA.PublicKey(\(compressedRepresentation.hexString))" }
    }

    /// An ECDSA signature (r, s) with the recovery id (0 or 1 for the parity of R's y; 2 and
    /// 3 are accepted by the library for the astronomically rare x ≥ n case).
    public struct RecoverableSignature: Sendable, Hashable {
        /// 32 bytes, big-endian.
        public let r: [UInt8]
        /// 32 bytes, big-endian.
        public let s: [UInt8]
        public let recoveryID: UInt8

        /// Validates lengths, r and s in [1, n-1], and recoveryID ≤ 3.
        public init(r: some Collection<UInt8>, s: some Collection<UInt8>, recoveryID: UInt8) throws(CryptoError) {
            guard r.count == 32, s.count == 32 else {
                throw CryptoError(.invalidLength, "r and s are 32 bytes each")
            }
            guard recoveryID <= 3 else { throw CryptoError(.outOfRange, "recovery id must be 0...3") }
            let r = Array(r), s = Array(s)
            guard r.contains(where: { $0 != 0 }), s.contains(where: { $0 != 0 }) else {
                throw CryptoError(.zeroScalar, "r and s must be nonzero")
            }
            guard Self.isBelowOrder(r), Self.isBelowOrder(s) else {
                throw CryptoError(.outOfRange, "r and s must be below the group order")
            }
            self.r = r
            self.s = s
            self.recoveryID = recoveryID
        }

        /// True when s ≤ n/2 (EIP-2's canonical form).
        public var isLowS: Bool { !Self.greater(s, Self.halfOrder) }

        /// Recovers the public key that produced this signature over `digest`.
        public func recoverPublicKey(forDigest digest: some Collection<UInt8>) throws(CryptoError) -> PublicKey {
            guard digest.count == 32 else { throw CryptoError(.invalidLength, "digest must be 32 bytes") }
            var sig = secp256k1_ecdsa_recoverable_signature()
            let compact = r + s
            guard secp256k1_ecdsa_recoverable_signature_parse_compact(
                Secp256k1.context, &sig, compact, Int32(recoveryID)) == 1
            else { throw CryptoError(.invalidEncoding, "signature does not parse") }
            var pubkey = secp256k1_pubkey()
            guard secp256k1_ecdsa_recover(Secp256k1.context, &pubkey, &sig, Array(digest)) == 1 else {
                throw CryptoError(.invalidEncoding, "no public key recovers from this signature")
            }
            return PublicKey(pubkey)
        }

        static let order: [UInt8] = [
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
            0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41,
        ]
        static let halfOrder: [UInt8] = [
            0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0,
        ]

        static func isBelowOrder(_ x: [UInt8]) -> Bool { greater(order, x) }

        /// Big-endian comparison of two 32-byte values (public data only).
        static func greater(_ a: [UInt8], _ b: [UInt8]) -> Bool {
            for i in 0..<32 where a[i] != b[i] { return a[i] > b[i] }
            return false
        }
    }
}
