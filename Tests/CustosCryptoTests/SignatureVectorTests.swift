import CSecp256k1
import CSodium
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

/// The standards' signature vectors, run through libsecp256k1 / libsodium and through this
/// package's own scalar and point arithmetic.
@Suite struct SignatureVectorTests {
    struct BIP340Vector: CustomTestStringConvertible, Sendable {
        let index: String, secretKey: String, publicKey: String, auxRand: String
        let message: String, signature: String, valid: Bool, comment: String
        var testDescription: String { "BIP-340 vector \(index) \(comment)" }
    }

    static func bip340Vectors() throws -> [BIP340Vector] {
        let text = String(decoding: try TestEnvironment.vectorData("bip340/test-vectors.csv"), as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let f = line.split(separator: ",", maxSplits: 7, omittingEmptySubsequences: false).map(String.init)
            return BIP340Vector(
                index: f[0], secretKey: f[1], publicKey: f[2], auxRand: f[3], message: f[4],
                signature: f[5], valid: f[6] == "TRUE", comment: f.count > 7 ? f[7] : "")
        }
    }

    @Test(arguments: try bip340Vectors())
    func bip340(_ v: BIP340Vector) throws {
        let sig = try [UInt8](hex: v.signature)
        let msg = try [UInt8](hex: v.message)
        let key = try [UInt8](hex: v.publicKey)
        #expect(Secp256k1.Schnorr.isValidSignature(sig, for: msg, xOnlyPublicKey: key) == v.valid)
        #expect(Secp256k1.Schnorr.verifyBySpecification(sig, for: msg, xOnlyPublicKey: key) == v.valid)
        if !v.secretKey.isEmpty {
            let secret = SecretBytes(try [UInt8](hex: v.secretKey))
            let signed = try Secp256k1.Schnorr.unsafeSign(
                message: msg, secretKey: secret, auxiliaryRandomness: try [UInt8](hex: v.auxRand))
            #expect(signed == sig)
            // The public key from this package's own base multiplication.
            let derived = Secp256k1.Point.generatorMultiple(try Secp256k1.Scalar(rawRepresentation: secret.unsafeCopyBytes()))
            #expect(try derived.xOnlyRepresentation() == key)
        }
    }

    struct WycheproofFile: Decodable {
        struct Group: Decodable {
            struct Key: Decodable { let pk: String?; let uncompressed: String? }
            let publicKey: Key
            let tests: [Case]
        }
        struct Case: Decodable { let tcId: Int; let comment: String; let msg: String; let sig: String; let result: String }
        let testGroups: [Group]
    }

    static func wycheproof(_ name: String) throws -> WycheproofFile {
        try JSONDecoder().decode(WycheproofFile.self, from: TestEnvironment.vectorData("wycheproof/\(name)"))
    }

    @Test func wycheproofEd25519() throws {
        let file = try Self.wycheproof("ed25519_test.json")
        var count = 0
        for group in file.testGroups {
            let key = try [UInt8](hex: group.publicKey.pk!)
            for t in group.tests {
                let ok = Ed25519.isValidSignature(try [UInt8](hex: t.sig), for: try [UInt8](hex: t.msg), publicKey: key)
                #expect(ok == (t.result == "valid"), "Wycheproof ed25519 tcId \(t.tcId) \(t.comment)")
                count += 1
            }
        }
        #expect(count == 151)
    }

    /// Strict DER (X.690 §10, as BIP-66): minimal lengths, positive minimal integers, no trailing bytes.
    static func parseStrictDER(_ der: [UInt8]) -> (r: [UInt8], s: [UInt8])? {
        func integer(_ bytes: [UInt8], _ at: inout Int) -> [UInt8]? {
            guard at + 2 <= bytes.count, bytes[at] == 0x02 else { return nil }
            let length = Int(bytes[at + 1])
            guard length >= 1, length < 0x80, at + 2 + length <= bytes.count else { return nil }
            let value = Array(bytes[(at + 2)..<(at + 2 + length)])
            guard value[0] & 0x80 == 0 else { return nil }  // negative
            if value.count > 1 && value[0] == 0 && value[1] & 0x80 == 0 { return nil }  // non-minimal
            at += 2 + length
            let stripped = Array(value.drop(while: { $0 == 0 }))
            guard stripped.count <= 32 else { return nil }
            return [UInt8](repeating: 0, count: 32 - stripped.count) + stripped
        }
        guard der.count >= 2, der[0] == 0x30, der[1] < 0x80, Int(der[1]) == der.count - 2 else { return nil }
        var at = 2
        guard let r = integer(der, &at), let s = integer(der, &at), at == der.count else { return nil }
        return (r, s)
    }

    /// ECDSA verification (SEC 1 §4.1.4) with this package's scalars and points.
    static func verifyECDSA(r: [UInt8], s: [UInt8], digest: [UInt8], key: Secp256k1.Point, lowS: Bool) -> Bool {
        guard let r = try? Secp256k1.Scalar(rawRepresentation: r), !r.isZero,
            let s = try? Secp256k1.Scalar(rawRepresentation: s), !s.isZero
        else { return false }
        if lowS {
            let halfOrder = try! [UInt8](hex: "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
            guard s.rawRepresentation.lexicographicallyPrecedes(halfOrder) || s.rawRepresentation == halfOrder
            else { return false }
        }
        let z = Secp256k1.Scalar(reducingBigEndian: digest)
        guard let w = try? s.inverse() else { return false }
        let point = Secp256k1.Point.generatorMultiple(z * w) + (r * w) * key
        guard let x = try? point.xOnlyRepresentation() else { return false }
        return Secp256k1.Scalar(reducingBigEndian: x) == r
    }

    @Test(arguments: [
        ("ecdsa_secp256k1_sha256_test.json", false),
        ("ecdsa_secp256k1_sha256_bitcoin_test.json", true),
    ])
    func wycheproofSecp256k1(_ name: String, _ bitcoin: Bool) throws {
        let file = try Self.wycheproof(name)
        var count = 0
        for group in file.testGroups {
            let uncompressed = try [UInt8](hex: group.publicKey.uncompressed!)
            var parsed = secp256k1_pubkey()
            #expect(secp256k1_ec_pubkey_parse(Secp256k1.context_forTests, &parsed, uncompressed, 65) == 1)
            let compressed = [uncompressed[64] & 1 == 0 ? 0x02 : 0x03] + Array(uncompressed[1..<33])
            let key = try Secp256k1.Point(compressedRepresentation: compressed)
            for t in group.tests {
                let expected = t.result == "valid"
                let digest = Hashes.sha256(try [UInt8](hex: t.msg))
                let der = try [UInt8](hex: t.sig)
                // This package's arithmetic.
                let ours = Self.parseStrictDER(der).map {
                    Self.verifyECDSA(r: $0.r, s: $0.s, digest: digest, key: key, lowS: bitcoin)
                } ?? false
                #expect(ours == expected, "Wycheproof \(name) tcId \(t.tcId) \(t.comment)")
                // libsecp256k1, with strict DER; lower-S normalization only outside Bitcoin rules.
                var sig = secp256k1_ecdsa_signature()
                var lib = Self.parseStrictDER(der) != nil
                    && secp256k1_ecdsa_signature_parse_der(Secp256k1.context_forTests, &sig, der, der.count) == 1
                if lib {
                    if !bitcoin {
                        let input = sig
                        withUnsafePointer(to: input) { _ = secp256k1_ecdsa_signature_normalize(Secp256k1.context_forTests, &sig, $0) }
                    }
                    lib = secp256k1_ecdsa_verify(Secp256k1.context_forTests, &sig, digest, &parsed) == 1
                }
                #expect(lib == expected, "libsecp256k1: Wycheproof \(name) tcId \(t.tcId) \(t.comment)")
                count += 1
            }
        }
        #expect(count > 300)
    }
}

extension Secp256k1 {
    /// A verification-only context for the library cross-checks in these tests.
    nonisolated(unsafe) static let context_forTests: OpaquePointer =
        secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))!
}
