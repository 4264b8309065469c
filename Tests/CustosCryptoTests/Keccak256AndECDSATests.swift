import CSodium
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

private func randomBytes(_ count: Int, using rng: inout SeededGenerator) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

private struct CryptoPeerRequest: Encodable {
    struct Sign: Encodable { let key: String; let digest: String }
    var keccak: [String] = []
    var ecdsa: [Sign] = []
}

private struct CryptoPeerResponse: Decodable {
    struct Signature: Decodable { let r: String; let s: String; let v: Int; let address: String; let pub: String }
    let keccak: [String]
    let ecdsa: [Signature]
}

@Suite struct Keccak256Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let input: [UInt8]
        let digest: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "empty", input: [],
               digest: "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        Vector(name: "abc", input: Array("abc".utf8),
               digest: "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        Vector(name: "quick brown fox", input: Array("The quick brown fox jumps over the lazy dog".utf8),
               digest: "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"),
        // Keccak team's 200 × 0xA3 (two blocks).
        Vector(name: "200 x a3", input: [UInt8](repeating: 0xA3, count: 200),
               digest: "3a57666b048777f2c953dc4456f45a2588e1cb6f2da760122d530ac2ce607d4a"),
        Vector(name: "135 x a (one below rate)", input: [UInt8](repeating: 0x61, count: 135),
               digest: "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446"),
        Vector(name: "136 x a (exactly the rate)", input: [UInt8](repeating: 0x61, count: 136),
               digest: "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e"),
        Vector(name: "137 x a", input: [UInt8](repeating: 0x61, count: 137),
               digest: "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39"),
        Vector(name: "0..255 three times", input: Array((0..<768).map { UInt8($0 % 256) }),
               digest: "00e77ce2c4f77212a0d5df106b08157b77058479357a98a6039b457c469723e4"),
    ]

    @Test(arguments: vectors)
    func knownVector(_ vector: Vector) {
        #expect(Keccak256.hash(vector.input).hexString == vector.digest)
    }

    @Test func notSHA3() {
        // SHA3-256("") is a7ffc6f8…; Keccak-256 must differ (padding 0x01, not 0x06).
        #expect(!Keccak256.hash([]).hexString.hasPrefix("a7ffc6f8"))
    }

    @Test func incrementalMatchesOneShot() {
        var rng = SeededGenerator(seed: 0x4B45_4343)
        for _ in 0..<200 {
            let input = randomBytes(Int.random(in: 0...700, using: &rng), using: &rng)
            var hasher = Keccak256()
            var rest = input[...]
            while !rest.isEmpty {
                let n = Int.random(in: 1...200, using: &rng)
                hasher.update(rest.prefix(n))
                rest = rest.dropFirst(n)
            }
            #expect(hasher.finalize() == Keccak256.hash(input))
        }
    }

    @Test func crossCheckWithPython() async throws {
        var rng = SeededGenerator(seed: 0x0DDB_A11)
        var inputs: [[UInt8]] = []
        for length in [0, 1, 31, 32, 33, 135, 136, 137, 271, 272, 273, 1000] {
            inputs.append(randomBytes(length, using: &rng))
        }
        for _ in 0..<300 { inputs.append(randomBytes(Int.random(in: 0...600, using: &rng), using: &rng)) }
        let response = try await PythonPeer.call(
            "crypto_peer.py", CryptoPeerRequest(keccak: inputs.map(\.hexString)), as: CryptoPeerResponse.self)
        #expect(response.keccak.count == inputs.count)
        for (input, expected) in zip(inputs, response.keccak) {
            #expect(Keccak256.hash(input).hexString == expected, "input \(input.hexString)")
        }
    }
}

@Suite struct Secp256k1ECDSATests {
    typealias ECDSA = Secp256k1.ECDSA

    @Test func signVerifyRecover() throws {
        let key = ECDSA.PrivateKey()
        let digest = Keccak256.hash(Array("custos".utf8))
        let signature = try key.signature(forDigest: digest)
        #expect(signature.isLowS)
        #expect(key.publicKey.isValidSignature(signature, forDigest: digest))
        #expect(try signature.recoverPublicKey(forDigest: digest) == key.publicKey)
        var other = digest
        other[0] ^= 1
        #expect(!key.publicKey.isValidSignature(signature, forDigest: other))
        #expect(try signature.recoverPublicKey(forDigest: other) != key.publicKey)
    }

    @Test func knownAddress() throws {
        // Private key 1 → the well-known address of the generator point.
        let key = try ECDSA.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 31) + [1])
        #expect(key.publicKey.ethereumAddressBytes.hexString == "7e5f4552091a69125d5dfcb7b8c2659029395bdf")
        #expect(key.publicKey.compressedRepresentation.hexString
            == "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
        #expect(try ECDSA.PublicKey(encoding: key.publicKey.compressedRepresentation) == key.publicKey)
    }

    @Test func privateKeyNeverPrints() throws {
        let bytes = try [UInt8](hex: "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        let key = try ECDSA.PrivateKey(rawRepresentation: bytes)
        for text in [String(describing: key), String(reflecting: key), "\(key)"] {
            #expect(!text.contains("4c0883a6"))
            #expect(!text.lowercased().contains("3f362318"))
        }
    }

    @Test func rejectsInvalidKeysAndSignatures() throws {
        #expect(throws: CryptoError(.outOfRange, "")) {
            try ECDSA.PrivateKey(rawRepresentation: [UInt8](repeating: 0, count: 32))
        }
        #expect(throws: CryptoError(.outOfRange, "")) {
            try ECDSA.PrivateKey(rawRepresentation: [UInt8](repeating: 0xFF, count: 32))
        }
        #expect(throws: CryptoError(.invalidLength, "")) {
            try ECDSA.PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 31))
        }
        let one = [UInt8](repeating: 0, count: 31) + [1]
        #expect(throws: CryptoError(.zeroScalar, "")) {
            try ECDSA.RecoverableSignature(r: [UInt8](repeating: 0, count: 32), s: one, recoveryID: 0)
        }
        #expect(throws: CryptoError(.outOfRange, "")) {
            try ECDSA.RecoverableSignature(r: one, s: [UInt8](repeating: 0xFF, count: 32), recoveryID: 0)
        }
        #expect(throws: CryptoError(.outOfRange, "")) {
            try ECDSA.RecoverableSignature(r: one, s: one, recoveryID: 4)
        }
        #expect(throws: CryptoError(.invalidLength, "")) {
            try ECDSA.PrivateKey().signature(forDigest: [1, 2, 3])
        }
        #expect(throws: CryptoError(.notOnCurve, "")) {
            try ECDSA.PublicKey(encoding: [0x02] + [UInt8](repeating: 0xFF, count: 32))
        }
    }

    @Test func highSIsRejectedByVerify() throws {
        let key = ECDSA.PrivateKey()
        let digest = Keccak256.hash([1, 2, 3])
        let signature = try key.signature(forDigest: digest)
        // s' = n - s is the malleated twin; verify must refuse it (EIP-2).
        var borrow = 0
        var high = [UInt8](repeating: 0, count: 32)
        let n: [UInt8] = try [UInt8](hex: "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        for i in (0..<32).reversed() {
            let d = Int(n[i]) - Int(signature.s[i]) - borrow
            high[i] = UInt8((d + 256) % 256)
            borrow = d < 0 ? 1 : 0
        }
        let malleated = try ECDSA.RecoverableSignature(r: signature.r, s: high, recoveryID: signature.recoveryID ^ 1)
        #expect(!malleated.isLowS)
        #expect(!key.publicKey.isValidSignature(malleated, forDigest: digest))
    }

    @Test func crossCheckWithEthKeys() async throws {
        var rng = SeededGenerator(seed: 0xEC_D5A)
        var keys: [[UInt8]] = []
        var digests: [[UInt8]] = []
        while keys.count < 200 {
            let candidate = randomBytes(32, using: &rng)
            guard (try? ECDSA.PrivateKey(rawRepresentation: candidate)) != nil else { continue }
            keys.append(candidate)
            digests.append(randomBytes(32, using: &rng))
        }
        let request = CryptoPeerRequest(
            ecdsa: zip(keys, digests).map { .init(key: $0.hexString, digest: $1.hexString) })
        let response = try await PythonPeer.call("crypto_peer.py", request, as: CryptoPeerResponse.self)
        #expect(response.ecdsa.count == keys.count)
        for ((keyBytes, digest), expected) in zip(zip(keys, digests), response.ecdsa) {
            let key = try ECDSA.PrivateKey(rawRepresentation: keyBytes)
            let signature = try key.signature(forDigest: digest)
            #expect(signature.r.hexString == expected.r)
            #expect(signature.s.hexString == expected.s)
            #expect(Int(signature.recoveryID) == expected.v)
            #expect(key.publicKey.rawRepresentation.hexString == expected.pub)
            let recovered = try signature.recoverPublicKey(forDigest: digest)
            #expect(recovered.ethereumAddressBytes.hexString == expected.address)
        }
    }
}

/// Wycheproof's secp256k1 ECDSA vectors in the Bitcoin variant (DER, SHA-256, high S
/// invalid), which is the rule Ethereum applies too (EIP-2).
@Suite struct Secp256k1ECDSAWycheproofTests {
    struct File: Decodable {
        struct Group: Decodable {
            struct Key: Decodable { let uncompressed: String }
            struct Case: Decodable { let tcId: Int; let comment: String; let msg: String; let sig: String; let result: String }
            let publicKey: Key
            let tests: [Case]
        }
        let testGroups: [Group]
    }

    /// Strict DER `SEQUENCE { INTEGER r, INTEGER s }`; nil for anything else.
    static func parseDER(_ der: [UInt8]) -> (r: [UInt8], s: [UInt8])? {
        guard der.count >= 8, der[0] == 0x30, der[1] < 0x80, Int(der[1]) == der.count - 2 else { return nil }
        var position = 2
        func integer() -> [UInt8]? {
            guard position + 2 <= der.count, der[position] == 0x02, der[position + 1] < 0x80 else { return nil }
            let length = Int(der[position + 1])
            position += 2
            guard length > 0, position + length <= der.count else { return nil }
            let bytes = Array(der[position..<(position + length)])
            position += length
            if bytes[0] & 0x80 != 0 { return nil }  // negative
            if bytes.count > 1 && bytes[0] == 0 && bytes[1] & 0x80 == 0 { return nil }  // not minimal
            let trimmed = Array(bytes.drop(while: { $0 == 0 }))
            guard trimmed.count <= 32 else { return nil }
            return [UInt8](repeating: 0, count: 32 - trimmed.count) + trimmed
        }
        guard let r = integer(), let s = integer(), position == der.count else { return nil }
        return (r, s)
    }

    static func sha256(_ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        _ = crypto_hash_sha256(&out, message, UInt64(message.count))
        return out
    }

    @Test func bitcoinVariant() throws {
        let file = try JSONDecoder().decode(
            File.self, from: TestEnvironment.vectorData("wycheproof/ecdsa_secp256k1_sha256_bitcoin_test.json"))
        var checked = 0
        for group in file.testGroups {
            let key = try Secp256k1.ECDSA.PublicKey(encoding: [UInt8](hex: group.publicKey.uncompressed))
            for test in group.tests {
                let digest = Self.sha256(try [UInt8](hex: test.msg))
                var valid = false
                if let (r, s) = Self.parseDER(try [UInt8](hex: test.sig)),
                   let signature = try? Secp256k1.ECDSA.RecoverableSignature(r: r, s: s, recoveryID: 0) {
                    valid = key.isValidSignature(signature, forDigest: digest)
                }
                #expect(valid == (test.result == "valid"), "tcId \(test.tcId): \(test.comment)")
                checked += 1
            }
        }
        #expect(checked == 463)
    }
}
