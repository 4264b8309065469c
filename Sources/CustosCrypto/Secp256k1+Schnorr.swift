import CSecp256k1
import CustosCore

extension Secp256k1 {
    /// BIP-340 Schnorr signatures.
    public enum Schnorr {
        /// Verifies a 64-byte BIP-340 signature under a 32-byte x-only key with libsecp256k1's
        /// `secp256k1_schnorrsig_verify`. Any message length is accepted, as BIP-340 allows.
        public static func isValidSignature(
            _ signature: some Collection<UInt8>, for message: some Collection<UInt8>,
            xOnlyPublicKey: some Collection<UInt8>
        ) -> Bool {
            let sig = Array(signature)
            let key = Array(xOnlyPublicKey)
            let msg = Array(message)
            guard sig.count == 64, key.count == 32 else { return false }
            var xonly = secp256k1_xonly_pubkey()
            guard secp256k1_xonly_pubkey_parse(Secp256k1.context, &xonly, key) == 1 else { return false }
            return secp256k1_schnorrsig_verify(Secp256k1.context, sig, msg, msg.count, &xonly) == 1
        }

        /// Verifies a BIP-340 signature with this module's own scalar and point types,
        /// following BIP-340's Verify algorithm step by step. Used to check the Swift
        /// arithmetic against the BIP's vectors and libsecp256k1.
        public static func verifyBySpecification(
            _ signature: [UInt8], for message: [UInt8], xOnlyPublicKey: [UInt8]
        ) -> Bool {
            guard signature.count == 64, xOnlyPublicKey.count == 32 else { return false }
            guard let p = try? Point(xOnly: xOnlyPublicKey) else { return false }
            let rx = Array(signature[0..<32])
            // r must be a field element (< p); lifting checks that and the curve equation.
            guard (try? Point(xOnly: rx)) != nil else { return false }
            guard let s = try? Scalar(rawRepresentation: signature[32..<64]) else { return false }
            let e = Scalar(reducingBigEndian: Hashes.tagged("BIP0340/challenge", rx, xOnlyPublicKey, message))
            let r = Point.generatorMultiple(s) - e * p
            guard !r.isIdentity, r.hasEvenY, let x = try? r.xOnlyRepresentation() else { return false }
            return x == rx
        }

        /// A plain single-key BIP-340 signature from libsecp256k1 (the benchmark baseline and
        /// a test peer); `auxiliaryRandomness` is BIP-340's aux_rand.
        public static func unsafeSign(
            message: [UInt8], secretKey: SecretBytes, auxiliaryRandomness: [UInt8]
        ) throws(CryptoError) -> [UInt8] {
            guard secretKey.count == 32, auxiliaryRandomness.count == 32 else {
                throw CryptoError(.invalidLength, "BIP-340 signing takes a 32-byte key and 32 bytes of aux_rand")
            }
            var keypair = secp256k1_keypair()
            let created = secretKey.withUnsafeBytes { raw in
                secp256k1_keypair_create(
                    Secp256k1.context, &keypair, raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            defer { withUnsafeMutableBytes(of: &keypair) { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) } }
            guard created == 1 else { throw CryptoError(.outOfRange, "secret key is zero or not below n") }
            var sig = [UInt8](repeating: 0, count: 64)
            var aux = auxiliaryRandomness
            let ok = aux.withUnsafeMutableBytes { auxBuffer in
                // SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT with aux_rand as ndata: BIP-340 nonce
                // derivation over a message of any length.
                var params = secp256k1_schnorrsig_extraparams(
                    magic: (0xda, 0x6f, 0xb3, 0x8c), noncefp: nil, ndata: auxBuffer.baseAddress)
                return secp256k1_schnorrsig_sign_custom(
                    Secp256k1.context, &sig, message, message.count, &keypair, &params)
            }
            guard ok == 1 else { throw CryptoError(.libraryFailure, "libsecp256k1 failed to sign") }
            return sig
        }
    }
}
