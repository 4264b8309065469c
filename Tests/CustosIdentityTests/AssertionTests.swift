import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import Testing

@Suite("WebAuthn assertions")
struct AssertionTests {
    let approval = Fixture.challenge("approve transfer #42: 100 USDC to 0xabc")

    func verify(
        _ response: WebAuthnAssertion.Response, _ credential: StoredCredential, challenge: [UInt8]? = nil,
        relyingParty: RelyingParty = Fixture.development, requireUV: Bool = true
    ) -> WebAuthnError.Code? {
        webAuthnCode { () throws(WebAuthnError) in
            try WebAuthnAssertion.verify(
                response, credential: credential, expectedChallenge: challenge ?? approval,
                relyingParty: relyingParty, requireUserVerification: requireUV)
        }
    }

    /// An assertion over chosen authenticator data and client data, validly signed by `authenticator`.
    func signed(_ authenticator: SoftwareAuthenticator, authData: [UInt8], clientData: [UInt8]) -> WebAuthnAssertion.Response {
        WebAuthnAssertion.Response(
            credentialId: authenticator.credentialId, authenticatorData: authData, clientDataJSON: clientData,
            signature: authenticator.sign(authenticatorData: authData, clientDataJSON: clientData))
    }

    func authData(rpId: String = Fixture.rpId, flags: UInt8 = 0x05, count: UInt32) -> [UInt8] {
        Hashes.sha256(Array(rpId.utf8)) + [flags, UInt8(count >> 24), UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff)]
    }

    func clientData(type: String = "webauthn.get", challenge: [UInt8]? = nil, origin: String = Fixture.origin) -> [UInt8] {
        Array("{\"type\":\"\(type)\",\"challenge\":\"\(Base64URL.encode(challenge ?? approval))\",\"origin\":\"\(origin)\",\"crossOrigin\":false}".utf8)
    }

    @Test("Assertions verify and advance the counter; each one counts once")
    func roundTrip() throws {
        var (authenticator, credential) = try Fixture.registered()
        for i in 1...3 {
            let response = authenticator.getAssertion(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: approval)
            let verified = try WebAuthnAssertion.verify(
                response, credential: credential, expectedChallenge: approval, relyingParty: Fixture.development,
                requireUserVerification: true)
            #expect(verified.credential.signCount == UInt32(i))
            #expect(verified.userVerified)
            // Replaying the same assertion against the updated record is refused.
            #expect(verify(response, verified.credential) == .counterNotIncreased)
            credential = verified.credential
        }
    }

    @Test("Forged signatures are refused")
    func forged() throws {
        var (authenticator, credential) = try Fixture.registered()
        let good = authenticator.getAssertion(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: approval)
        var flipped = good.signature
        flipped[flipped.count - 1] ^= 1
        let forgedSignatures: [[UInt8]] = [flipped, [], [0x30, 0x00], Array(repeating: 0x30, count: 200), good.signature + [0]]
        for signature in forgedSignatures {
            let r = WebAuthnAssertion.Response(credentialId: good.credentialId, authenticatorData: good.authenticatorData, clientDataJSON: good.clientDataJSON, signature: signature)
            #expect(verify(r, credential) == .badSignature)
        }
        // Signed by another key under the same credential id.
        let impostor = SoftwareAuthenticator(privateKey: P256.Signing.PrivateKey(), credentialId: authenticator.credentialId, signCount: 5)
        #expect(verify(signed(impostor, authData: authData(count: 9), clientData: clientData()), credential) == .badSignature)
        // Client data changed after signing (the signature covers its hash).
        let altered = WebAuthnAssertion.Response(
            credentialId: good.credentialId, authenticatorData: good.authenticatorData,
            clientDataJSON: good.clientDataJSON.map { $0 == UInt8(ascii: ":") ? $0 : $0 } + Array(" ".utf8), signature: good.signature)
        #expect(verify(altered, credential) == .badSignature)
        // A counter bumped after signing.
        var bumped = good.authenticatorData
        bumped[36] &+= 1
        #expect(verify(WebAuthnAssertion.Response(credentialId: good.credentialId, authenticatorData: bumped, clientDataJSON: good.clientDataJSON, signature: good.signature), credential) == .badSignature)
        _ = credential
    }

    @Test("High-S signatures are accepted, as WebAuthn does not require low S")
    func highS() throws {
        let (authenticator, credential) = try Fixture.registered()
        let r = signed(authenticator, authData: authData(count: 1), clientData: clientData())
        let sig = try P256.Signing.ECDSASignature(derRepresentation: r.signature)
        let raw = Array(sig.rawRepresentation)
        let order = [UInt8](h: "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
        let flippedS = subtract(order, Array(raw[32...]))
        let other = WebAuthnAssertion.Response(
            credentialId: r.credentialId, authenticatorData: r.authenticatorData, clientDataJSON: r.clientDataJSON,
            signature: der(Array(raw[..<32]), flippedS))
        #expect(verify(r, credential) == nil)
        #expect(verify(other, credential) == nil)
    }

    @Test("Altered challenge, origin, rpId and type are refused with their codes")
    func alteredContext() throws {
        var (authenticator, credential) = try Fixture.registered()
        let otherRequest = authenticator.getAssertion(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: Fixture.challenge("approve transfer #43"))
        #expect(verify(otherRequest, credential) == .wrongChallenge)
        let otherOrigin = authenticator.getAssertion(relyingPartyId: Fixture.rpId, origin: "https://custos.example.com.evil.net", challenge: approval)
        #expect(verify(otherOrigin, credential) == .wrongOrigin)
        let otherRp = authenticator.getAssertion(relyingPartyId: "example.com", origin: Fixture.origin, challenge: approval)
        #expect(verify(otherRp, credential) == .wrongRpId)
        let cross = authenticator.getAssertion(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: approval, crossOrigin: true)
        #expect(verify(cross, credential) == .crossOriginNotAllowed)
        let create = signed(authenticator, authData: authData(count: 10), clientData: clientData(type: "webauthn.create"))
        #expect(verify(create, credential) == .wrongType)
        let wrongId = WebAuthnAssertion.Response(credentialId: [9, 9], authenticatorData: create.authenticatorData, clientDataJSON: create.clientDataJSON, signature: create.signature)
        #expect(verify(wrongId, credential) == .wrongCredential)
        credential.signCount = 0
    }

    @Test("UP is always required; UV when the role requires it")
    func flags() throws {
        var (authenticator, credential) = try Fixture.registered()
        let noUV = authenticator.getAssertion(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: approval, userVerified: false)
        #expect(verify(noUV, credential) == .userNotVerified)
        let accepted = try WebAuthnAssertion.verify(noUV, credential: credential, expectedChallenge: approval, relyingParty: Fixture.development, requireUserVerification: false)
        #expect(!accepted.userVerified)
        credential = accepted.credential
        let noUP = authenticator.getAssertion(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: approval, userPresent: false)
        #expect(verify(noUP, credential) == .userNotPresent)
        #expect(verify(noUP, credential, requireUV: false) == .userNotPresent)
        // BE appearing after registration without it.
        let be = signed(authenticator, authData: authData(flags: 0x0d, count: 50), clientData: clientData())
        #expect(verify(be, credential) == .backupEligibilityChanged)
    }

    @Test("Counters: must increase; authenticators that always report 0 are accepted only while both are 0")
    func counters() throws {
        let (authenticator, credential) = try Fixture.registered()
        #expect(verify(signed(authenticator, authData: authData(count: 0), clientData: clientData()), credential) == nil)
        #expect(verify(signed(authenticator, authData: authData(count: 0), clientData: clientData()), credential) == nil)
        var seen = credential
        seen.signCount = 7
        #expect(verify(signed(authenticator, authData: authData(count: 0), clientData: clientData()), seen) == .counterNotIncreased)
        #expect(verify(signed(authenticator, authData: authData(count: 7), clientData: clientData()), seen) == .counterNotIncreased)
        #expect(verify(signed(authenticator, authData: authData(count: 6), clientData: clientData()), seen) == .counterNotIncreased)
        #expect(verify(signed(authenticator, authData: authData(count: 8), clientData: clientData()), seen) == nil)
        #expect(verify(signed(authenticator, authData: authData(count: .max), clientData: clientData()), seen) == nil)
    }

    @Test("Malformed authenticator data and client data are refused as malformed")
    func malformed() throws {
        let (authenticator, credential) = try Fixture.registered()
        let good = authData(count: 3)
        let cases: [([UInt8], [UInt8])] = [
            (Array(good.prefix(36)), clientData()),
            ([], clientData()),
            (good + [0], clientData()),  // trailing byte
            (authData(flags: 0x45, count: 3), clientData()),  // AT without attested data
            (authData(flags: 0x85, count: 3), clientData()),  // ED without extensions
            (authData(flags: 0x85, count: 3) + [0x80], clientData()),  // extensions not a map
            (authData(flags: 0x85, count: 3) + [0xa1, 0x61, 0x61], clientData()),  // truncated extensions
            (authData(flags: 0x15, count: 3), clientData()),  // BS without BE
            (good, []),
            (good, Array("not json".utf8)),
            (good, Array("[]".utf8)),
            (good, Array("{\"type\":\"webauthn.get\",\"origin\":\"https://custos.example.com\"}".utf8)),  // no challenge
            (good, Array("{\"type\":\"webauthn.get\",\"challenge\":\"\(Base64URL.encode(approval))=\",\"origin\":\"https://custos.example.com\"}".utf8)),
            (good, Array("{\"type\":\"webauthn.get\",\"challenge\":\"\(Base64URL.encode(approval))\",\"origin\":\"https://custos.example.com\",\"crossOrigin\":\"false\"}".utf8)),
            (good, Array("{\"type\":1,\"challenge\":\"\(Base64URL.encode(approval))\",\"origin\":\"https://custos.example.com\"}".utf8)),
            (good, [0xff, 0xfe]),
        ]
        for (i, (a, c)) in cases.enumerated() {
            #expect(verify(signed(authenticator, authData: a, clientData: c), credential) == .malformed, "case \(i)")
        }
        // Extensions that are a well-formed map are accepted.
        let withExtensions = authData(flags: 0x85, count: 3) + CBOREncoder.encode(.map([(.text("appid"), .bool(true))]))
        #expect(verify(signed(authenticator, authData: withExtensions, clientData: clientData()), credential) == nil)
    }

    @Test("Production refuses software credentials at assertion time too")
    func production() throws {
        var (authenticator, credential) = try Fixture.registered()
        let r = authenticator.getAssertion(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: approval)
        #expect(verify(r, credential, relyingParty: Fixture.production) == .softwareCredentialRefused)
    }

    @Test("EdDSA credentials verify too")
    func edDSA() throws {
        let key = Curve25519.Signing.PrivateKey()
        let credential = StoredCredential(
            credentialId: [1, 2, 3], publicKey: COSEKey(ed25519: key.publicKey).encoded, signCount: 0,
            aaguid: Array(repeating: 0, count: 16), userVerified: true, backupEligible: false, backedUp: false, isSoftware: false)
        let a = authData(count: 1)
        let c = clientData()
        let signature = Array(try key.signature(for: a + Hashes.sha256(c)))
        let r = WebAuthnAssertion.Response(credentialId: [1, 2, 3], authenticatorData: a, clientDataJSON: c, signature: signature)
        #expect(verify(r, credential, relyingParty: Fixture.production) == nil)
        var bad = signature
        bad[0] ^= 1
        #expect(verify(WebAuthnAssertion.Response(credentialId: [1, 2, 3], authenticatorData: a, clientDataJSON: c, signature: bad), credential) == .badSignature)
    }
}

/// a − b for 32-byte big-endian integers with a ≥ b.
func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    var borrow = 0
    for i in stride(from: 31, through: 0, by: -1) {
        var d = Int(a[i]) - Int(b[i]) - borrow
        borrow = d < 0 ? 1 : 0
        if d < 0 { d += 256 }
        out[i] = UInt8(d)
    }
    return out
}

/// DER SEQUENCE { INTEGER r, INTEGER s } from 32-byte big-endian values.
func der(_ r: [UInt8], _ s: [UInt8]) -> [UInt8] {
    func integer(_ v: [UInt8]) -> [UInt8] {
        var bytes = Array(v.drop { $0 == 0 })
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return [0x02, UInt8(bytes.count)] + bytes
    }
    let body = integer(r) + integer(s)
    return [0x30, UInt8(body.count)] + body
}

@Suite("Software authenticator")
struct SoftwareAuthenticatorTests {
    @Test("Its key persists through the development key file form and never prints")
    func persistence() throws {
        var (authenticator, credential) = try Fixture.registered()
        let challenge = Fixture.challenge("after restart")
        _ = authenticator.getAssertion(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: challenge)
        var restored = try SoftwareAuthenticator(
            privateKeyRepresentation: authenticator.unsafePrivateKeyRepresentation,
            credentialId: authenticator.credentialId, signCount: authenticator.signCount)
        let response = restored.getAssertion(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: challenge)
        credential = try WebAuthnAssertion.verify(
            response, credential: credential, expectedChallenge: challenge, relyingParty: Fixture.development,
            requireUserVerification: true
        ).credential
        #expect(credential.signCount == 2)
        let secretHex = authenticator.unsafePrivateKeyRepresentation.unsafeCopyBytes().hexString
        #expect(!"\(authenticator)".contains(secretHex))
        #expect(!String(reflecting: authenticator).contains(secretHex))
        #expect(!"\(authenticator.unsafePrivateKeyRepresentation)".contains(secretHex))
        var dumped = ""
        dump(authenticator, to: &dumped)
        #expect(!dumped.contains(secretHex) && !dumped.contains("privateKey"))
    }
}
