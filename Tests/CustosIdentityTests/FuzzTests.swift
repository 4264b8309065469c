import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosTestSupport
import Testing

/// Seeded fuzzing of every decoder that sees attacker bytes. A trap would end the test process,
/// so passing means: for every input, a value or a typed error, never a crash.
@Suite("Fuzzing the decoders")
struct FuzzTests {
    /// Random bytes, and mutations (flips, insertions, deletions, truncations, splices) of valid inputs.
    static func mutate(_ input: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = [0x00, 0x17, 0x18, 0x1f, 0x5f, 0x7f, 0x9f, 0xbf, 0xff, 0x1b, 0x5b, 0x9b, 0xbb].randomElement(using: &rng)!
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
            case 3 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &rng))
            case 4: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            default:
                let start = Int.random(in: 0...bytes.count, using: &rng)
                bytes.insert(contentsOf: rng.bytes(Int.random(in: 1...9, using: &rng)), at: start)
            }
        }
        return bytes
    }

    static let registration: WebAuthnRegistration.Response = SoftwareAuthenticator.generate()
        .register(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: Fixture.challenge("fuzz"))

    static let coseKey = COSEKey(p256: P256.Signing.PrivateKey().publicKey).encoded

    @Test("CBOR decoder: random bytes", arguments: 0..<4)
    func cborRandom(seed: UInt64) {
        var rng = SeededGenerator(seed: 0xC0B0 + seed)
        var accepted = 0
        for _ in 0..<5_000 {
            let bytes = rng.bytes(Int.random(in: 0..<64, using: &rng))
            if (try? CBORDecoder().decode(bytes)) != nil { accepted += 1 }
        }
        #expect(accepted < 5_000)
    }

    @Test("CBOR decoder and attestation parsing: mutated attestation objects", arguments: 0..<4)
    func cborMutated(seed: UInt64) {
        var rng = SeededGenerator(seed: 0xA77E + seed)
        for _ in 0..<3_000 {
            let bytes = Self.mutate(Self.registration.attestationObject, &rng)
            _ = try? CBORDecoder().decode(bytes)
            _ = try? CBORDecoder(keyOrder: .ctap2Canonical).decodePrefix(bytes)
            _ = try? WebAuthnRegistration.attestedAuthenticatorData(bytes)
        }
    }

    @Test("Authenticator data parser: mutated registration and assertion data", arguments: 0..<4)
    func authenticatorData(seed: UInt64) throws {
        var rng = SeededGenerator(seed: 0xAD + seed)
        let registered = try WebAuthnRegistration.attestedAuthenticatorData(Self.registration.attestationObject).rawValue
        let withExtensions = Hashes.sha256([1]) + [0x85, 0, 0, 0, 1] + CBOREncoder.encode(.map([(.text("x"), .array([.int(-5), .bytes([1, 2])]))]))
        for _ in 0..<3_000 {
            for seedInput in [registered, withExtensions] {
                _ = try? AuthenticatorData(Self.mutate(seedInput, &rng))
            }
            _ = try? COSEKey(cbor: Self.mutate(Self.coseKey, &rng))
        }
    }

    @Test("Full verification never traps on mutated responses", arguments: 0..<2)
    func verification(seed: UInt64) throws {
        var rng = SeededGenerator(seed: 0xF00 + seed)
        var (authenticator, credential) = try Fixture.registered()
        let challenge = Fixture.challenge("fuzz approval")
        let good = authenticator.getAssertion(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: challenge)
        var accepted = 0
        for _ in 0..<2_000 {
            let r = WebAuthnAssertion.Response(
                credentialId: good.credentialId,
                authenticatorData: Bool.random(using: &rng) ? Self.mutate(good.authenticatorData, &rng) : good.authenticatorData,
                clientDataJSON: Bool.random(using: &rng) ? Self.mutate(good.clientDataJSON, &rng) : good.clientDataJSON,
                signature: Bool.random(using: &rng) ? Self.mutate(good.signature, &rng) : good.signature)
            if (try? WebAuthnAssertion.verify(r, credential: credential, expectedChallenge: challenge, relyingParty: Fixture.development, requireUserVerification: true)) != nil {
                accepted += 1
            }
            _ = try? WebAuthnRegistration.verify(
                WebAuthnRegistration.Response(credentialId: Self.registration.credentialId, attestationObject: Self.mutate(Self.registration.attestationObject, &rng), clientDataJSON: Self.mutate(Self.registration.clientDataJSON, &rng)),
                expectedChallenge: Fixture.challenge("fuzz"), relyingParty: Fixture.development, requireUserVerification: true)
        }
        // Only unmutated responses (all three parts left alone) can verify.
        #expect(accepted <= 2_000 / 4)
        credential.signCount = 0
    }

    @Test("JSON parser and request envelopes: random and mutated text", arguments: 0..<4)
    func json(seed: UInt64) {
        var rng = SeededGenerator(seed: 0x150 + seed)
        let envelope = SignedRequest(
            body: .object([("a", .array([.number(1.5), .string("x\u{0}"), .null]))]), keyId: "k", timestamp: 1,
            nonce: "AAAAAAAAAAAAAAAA", key: BotSigningKey(ed25519: .init())).jsonBytes
        for _ in 0..<3_000 {
            let text = Array(randomJSON(&rng, depth: 0).utf8)
            _ = try? JCS.canonicalize(Self.mutate(text, &rng))
            _ = try? SignedRequest(json: Self.mutate(envelope, &rng))
            _ = try? JSONParser().parse(rng.bytes(Int.random(in: 0..<32, using: &rng)))
        }
    }
}
