import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosTestSupport
import Testing

/// Seeded fuzzing of every decoder that sees attacker bytes. A trap would end the test process,
/// so passing means: for every input, a value or a typed error, never a crash. Each fuzzer also
/// shows that it reached past the first check: at least a given number of its inputs decode
/// (the seeds are fixed, so the counts are too: a decoder that starts refusing valid input
/// fails here), and what decodes re-encodes to the same value.
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
            if let value = try? CBORDecoder().decode(bytes) {
                accepted += 1
                Self.expectRoundTrip(value, from: bytes)
            }
        }
        #expect(accepted < 5_000)
        #expect(accepted >= Self.minimumRandomCBOR, "only \(accepted) random inputs decoded")
    }

    /// What decodes re-encodes (CTAP2 canonical) to a value that decodes to the same; bytes
    /// already in canonical order are reproduced exactly.
    static func expectRoundTrip(_ value: CBORValue, from bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let encoded = CBOREncoder.encode(value)
        #expect((try? CBORDecoder().decode(encoded)) == value, "\(bytes.hexString) re-encoded differently", sourceLocation: sourceLocation)
        if (try? CBORDecoder(keyOrder: .ctap2Canonical).decode(bytes)) != nil {
            #expect(encoded == bytes, "canonical \(bytes.hexString) re-encoded as \(encoded.hexString)", sourceLocation: sourceLocation)
        }
    }

    @Test("CBOR decoder and attestation parsing: mutated attestation objects", arguments: 0..<4)
    func cborMutated(seed: UInt64) {
        var rng = SeededGenerator(seed: 0xA77E + seed)
        var (decoded, attested) = (0, 0)
        for _ in 0..<3_000 {
            let bytes = Self.mutate(Self.registration.attestationObject, &rng)
            if let value = try? CBORDecoder().decode(bytes) {
                decoded += 1
                Self.expectRoundTrip(value, from: bytes)
            }
            _ = try? CBORDecoder(keyOrder: .ctap2Canonical).decodePrefix(bytes)
            if let data = try? WebAuthnRegistration.attestedAuthenticatorData(bytes) {
                attested += 1
                #expect((try? AuthenticatorData(data.rawValue)) == data)
            }
        }
        #expect(decoded >= Self.minimumMutatedCBOR, "only \(decoded) mutated attestation objects decoded")
        #expect(attested >= Self.minimumAttested, "only \(attested) mutated attestation objects gave authenticator data")
    }

    @Test("Authenticator data parser: mutated registration and assertion data", arguments: 0..<4)
    func authenticatorData(seed: UInt64) throws {
        var rng = SeededGenerator(seed: 0xAD + seed)
        let registered = try WebAuthnRegistration.attestedAuthenticatorData(Self.registration.attestationObject).rawValue
        let withExtensions = Hashes.sha256([1]) + [0x85, 0, 0, 0, 1] + CBOREncoder.encode(.map([(.text("x"), .array([.int(-5), .bytes([1, 2])]))]))
        var (parsed, keys) = (0, 0)
        for _ in 0..<3_000 {
            for seedInput in [registered, withExtensions] {
                let bytes = Self.mutate(seedInput, &rng)
                if let data = try? AuthenticatorData(bytes) {
                    parsed += 1
                    #expect(data.rawValue == bytes && (try? AuthenticatorData(data.rawValue)) == data)
                }
            }
            if let key = try? COSEKey(cbor: Self.mutate(Self.coseKey, &rng)) {
                keys += 1
                #expect((try? COSEKey(cbor: key.encoded)) == key)
            }
        }
        #expect(parsed >= Self.minimumAuthenticatorData, "only \(parsed) mutated authenticator data parsed")
        #expect(keys >= Self.minimumCOSEKeys, "only \(keys) mutated COSE keys parsed")
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
        // Only unmutated responses (all three parts left alone, one in eight) can verify, and they do.
        #expect(accepted <= 2_000 / 4)
        #expect(accepted >= 2_000 / 16, "only \(accepted) responses verified")
        credential.signCount = 0
    }

    @Test("JSON parser and request envelopes: random and mutated text", arguments: 0..<4)
    func json(seed: UInt64) {
        var rng = SeededGenerator(seed: 0x150 + seed)
        let envelope = SignedRequest(
            body: .object([("a", .array([.number(1.5), .string("x\u{0}"), .null]))]), cluster: Array(repeating: 7, count: 32), keyId: "k", timestamp: 1,
            nonce: "AAAAAAAAAAAAAAAA", key: BotSigningKey(ed25519: .init())).jsonBytes
        var (canonical, envelopes) = (0, 0)
        for _ in 0..<3_000 {
            let text = Array(randomJSON(&rng, depth: 0).utf8)
            if let bytes = try? JCS.canonicalize(Self.mutate(text, &rng)) {
                canonical += 1
                #expect((try? JCS.canonicalize(bytes)) == bytes, "canonical JSON is not a fixed point: \(String(decoding: bytes, as: UTF8.self))")
            }
            if let request = try? SignedRequest(json: Self.mutate(envelope, &rng)) {
                envelopes += 1
                #expect((try? SignedRequest(json: request.jsonBytes)) == request)
            }
            _ = try? JSONParser().parse(rng.bytes(Int.random(in: 0..<32, using: &rng)))
        }
        #expect(canonical >= Self.minimumCanonicalJSON, "only \(canonical) mutated JSON texts canonicalized")
        #expect(envelopes >= Self.minimumEnvelopes, "only \(envelopes) mutated envelopes decoded")
    }
}
