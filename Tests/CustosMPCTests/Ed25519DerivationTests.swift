import CustosCore
import CustosCrypto
import CustosMPC
import CustosTestSupport
import Testing

/// Ed25519 public derivation (Custos's analogue of BIP-32 CKDpub): the child key is the parent
/// plus the tweak times the base point, so whoever holds the parent's secret (or shares of it)
/// signs for the child with the secret plus the tweak — shown here by an RFC 8032 signature
/// that libsodium verifies under the derived key. The derivation itself is cross-checked
/// against an independent Python implementation in the state tests (vault addresses).
@Suite struct Ed25519DerivationTests {
    @Test func theChildKeyIsTheParentPlusTheTweakAndSigns() throws {
        let secret = Ed25519.Scalar.random()
        let root = Ed25519.Point.generatorMultiple(secret)
        let chainCode = SecureRandom.bytes(count: 32)
        for path: [UInt32] in [[], [0], [1, 2], [44, 501, 0, 0], [BIP32.hardenedOffset - 1]] {
            let (child, tweak) = try Ed25519Derivation.derive(key: root, chainCode: chainCode, path: path)
            #expect(child == Ed25519.Point.generatorMultiple(secret + tweak), "\(path)")
            #expect((child == root) == path.isEmpty)
            // RFC 8032 §5.1.6 with the scalar s + t directly (no seed): R = r·B,
            // k = SHA-512(R ‖ A ‖ M) mod ℓ, S = r + k·(s + t).
            let message = Array("custos derived key".utf8)
            let r = Ed25519.Scalar.random()
            let commitment = try Ed25519.Point.generatorMultiple(r).rawRepresentationExcludingIdentity()
            let key = try child.rawRepresentationExcludingIdentity()
            let k = Ed25519.Scalar(reducingLittleEndian: Hashes.sha512(commitment + key + message))
            let signature = commitment + (r + k * (secret + tweak)).rawRepresentation
            #expect(Ed25519.isValidSignature(signature, for: message, publicKey: key), "\(path)")
        }
    }

    @Test func pathsCompose() throws {
        let root = Ed25519.Point.generatorMultiple(.random())
        let chainCode = SecureRandom.bytes(count: 32)
        let (whole, total) = try Ed25519Derivation.derive(key: root, chainCode: chainCode, path: [7, 0])
        let (first, t1) = try Ed25519Derivation.derive(key: root, chainCode: chainCode, path: [7])
        #expect(whole == root + Ed25519.Point.generatorMultiple(total))
        #expect(first == root + Ed25519.Point.generatorMultiple(t1) && first != whole)
        #expect(try Ed25519Derivation.derive(key: root, chainCode: chainCode, path: [8]).key != first)
        #expect(try Ed25519Derivation.derive(key: root, chainCode: SecureRandom.bytes(count: 32), path: [7]).key != first)
    }

    @Test func hardenedIndicesAndBadChainCodesAreRefused() throws {
        let root = Ed25519.Point.generatorMultiple(.random())
        let chainCode = SecureRandom.bytes(count: 32)
        #expect(throws: MPCError(.invalidParameters, "")) {
            _ = try Ed25519Derivation.derive(key: root, chainCode: chainCode, path: [BIP32.hardenedOffset])
        }
        #expect(throws: MPCError(.invalidParameters, "")) { _ = try Ed25519Derivation.derive(key: root, chainCode: chainCode, path: [1, .max]) }
        #expect(throws: MPCError(.invalidParameters, "")) { _ = try Ed25519Derivation.derive(key: root, chainCode: [1, 2, 3], path: [0]) }
        #expect(throws: MPCError(.invalidParameters, "")) { _ = try Ed25519Derivation.derive(key: .identity, chainCode: chainCode, path: [0]) }
    }
}
