import CustosCore
import CustosCrypto
import CustosIdentity
import Foundation
import Testing

@Suite("WebAuthn registration")
struct RegistrationTests {
    let authenticator = SoftwareAuthenticator.generate()
    let challenge = Fixture.challenge("register alice's credential")

    func register(
        _ response: WebAuthnRegistration.Response, challenge: [UInt8]? = nil,
        relyingParty: RelyingParty = Fixture.development, requireUV: Bool = true
    ) -> WebAuthnError.Code? {
        webAuthnCode { () throws(WebAuthnError) in
            try WebAuthnRegistration.verify(
                response, expectedChallenge: challenge ?? self.challenge, relyingParty: relyingParty,
                requireUserVerification: requireUV)
        }
    }

    func response(rpId: String = Fixture.rpId, origin: String = Fixture.origin, uv: Bool = true, crossOrigin: Bool = false)
        -> WebAuthnRegistration.Response
    {
        authenticator.register(relyingPartyId: rpId, origin: origin, challenge: challenge, userVerified: uv, crossOrigin: crossOrigin)
    }

    /// The same response with its attestation object rebuilt around other authenticator data or format.
    func rebuilt(_ r: WebAuthnRegistration.Response, fmt: String = "none", attStmt: CBORValue = .map([]),
                 authData: ([UInt8]) -> [UInt8] = { $0 }) throws -> WebAuthnRegistration.Response {
        let object = try CBORDecoder().decode(r.attestationObject)
        let original = object[.text("authData")]!.bytesValue!
        let bytes = CBOREncoder.encode(.map([(.text("fmt"), .text(fmt)), (.text("attStmt"), attStmt), (.text("authData"), .bytes(authData(original)))]))
        return WebAuthnRegistration.Response(credentialId: r.credentialId, attestationObject: bytes, clientDataJSON: r.clientDataJSON)
    }

    @Test("A software registration yields the credential record, flagged as software")
    func roundTrip() throws {
        let credential = try WebAuthnRegistration.verify(
            response(), expectedChallenge: challenge, relyingParty: Fixture.development, requireUserVerification: true)
        #expect(credential.credentialId == authenticator.credentialId)
        #expect(credential.publicKey == authenticator.publicKey.encoded)
        #expect(credential.signCount == 0)
        #expect(credential.userVerified)
        #expect(credential.isSoftware)
        #expect(credential.aaguid == SoftwareAuthenticator.aaguid)
        #expect(try credential.coseKey().algorithm == .es256)
        // The attestation object is CTAP2-canonical CBOR.
        _ = try CBORDecoder(keyOrder: .ctap2Canonical).decode(response().attestationObject)
    }

    @Test("Production refuses software credentials: their attestation none proves no hardware")
    func production() {
        #expect(register(response(), relyingParty: Fixture.production) == .softwareCredentialRefused)
    }

    @Test("Client data refusals: type, challenge, origin, cross-origin")
    func clientData() throws {
        #expect(register(response(), challenge: Fixture.challenge("another operation")) == .wrongChallenge)
        #expect(register(response(origin: "https://evil.example.com")) == .wrongOrigin)
        #expect(register(response(origin: "http://custos.example.com")) == .wrongOrigin)
        #expect(register(response(crossOrigin: true)) == .crossOriginNotAllowed)
        let crossOK = RelyingParty(id: Fixture.rpId, allowedOrigins: [Fixture.origin], allowCrossOrigin: true, mode: .development)
        #expect(register(response(crossOrigin: true), relyingParty: crossOK) == nil)
        var r = response()
        r = WebAuthnRegistration.Response(
            credentialId: r.credentialId, attestationObject: r.attestationObject,
            clientDataJSON: Array(String(decoding: r.clientDataJSON, as: UTF8.self).replacingOccurrences(of: "webauthn.create", with: "webauthn.get").utf8))
        #expect(register(r) == .wrongType)
    }

    @Test("Authenticator data refusals: rpId, UP, UV")
    func authData() throws {
        #expect(register(response(rpId: "evil.example.com")) == .wrongRpId)
        #expect(register(response(uv: false)) == .userNotVerified)
        #expect(register(response(uv: false), requireUV: false) == nil)
        let noUP = try rebuilt(response()) { var a = $0; a[32] &= ~0x01; return a }
        #expect(register(noUP) == .userNotPresent)
    }

    @Test("Attestation formats other than none, packed and fido-u2f are refused; a statement must be complete; none needs an empty one")
    func attestation() throws {
        #expect(register(try rebuilt(response(), fmt: "packed", attStmt: .map([(.text("alg"), .int(-7))]))) == .malformed)
        #expect(register(try rebuilt(response(), fmt: "fido-u2f", attStmt: .map([(.text("sig"), .bytes([1]))]))) == .malformed)
        #expect(register(try rebuilt(response(), fmt: "tpm")) == .unsupportedAttestation)
        #expect(register(try rebuilt(response(), fmt: "android-key")) == .unsupportedAttestation)
        #expect(register(try rebuilt(response(), attStmt: .map([(.text("sig"), .bytes([1]))]))) == .malformed)
    }

    @Test("Malformed attestation objects and authenticator data are refused as malformed")
    func malformed() throws {
        let r = response()
        let cases: [WebAuthnRegistration.Response] = [
            try rebuilt(r) { Array($0.prefix(36)) },  // shorter than the fixed header
            try rebuilt(r) { Array($0.prefix(50)) },  // truncated attested credential data
            try rebuilt(r) { Array($0.dropLast(3)) },  // truncated COSE key
            try rebuilt(r) { $0 + [0x00] },  // a byte nothing explains
            try rebuilt(r) { var a = $0; a[32] &= ~0x40; return a },  // AT cleared
            try rebuilt(r) { var a = $0; a[32] |= 0x80; return a },  // ED set, no extensions
            try rebuilt(r) { var a = $0; a[32] |= 0x10; return a },  // BS without BE
            try rebuilt(r) { var a = $0; a[53] = 0xff; a[54] = 0xff; return a },  // credential id length 65535
            try rebuilt(r) { var a = $0; a[53] = 0; a[54] = 0; return a },  // credential id length 0
            WebAuthnRegistration.Response(credentialId: r.credentialId, attestationObject: r.attestationObject + [0], clientDataJSON: r.clientDataJSON),
            WebAuthnRegistration.Response(credentialId: r.credentialId, attestationObject: [0xa0], clientDataJSON: r.clientDataJSON),
            WebAuthnRegistration.Response(credentialId: r.credentialId, attestationObject: r.attestationObject, clientDataJSON: Array("{\"type\":\"webauthn.create\"".utf8)),
            WebAuthnRegistration.Response(credentialId: r.credentialId, attestationObject: r.attestationObject, clientDataJSON: Array("{\"type\":\"webauthn.create\",\"type\":\"webauthn.create\"}".utf8)),
        ]
        for (i, c) in cases.enumerated() {
            #expect(register(c) == .malformed, "case \(i)")
        }
        #expect(register(WebAuthnRegistration.Response(credentialId: [1, 2, 3], attestationObject: r.attestationObject, clientDataJSON: r.clientDataJSON)) == .wrongCredential)
    }

    @Test("Hostile CBOR in the attestation object is malformed, and the reason names the CBOR fault")
    func hostileCBOR() throws {
        let r = response()
        let object = try CBORDecoder().decode(r.attestationObject)
        let authData = CBOREncoder.encode(object[.text("authData")]!)
        let fmt = CBOREncoder.encode(.text("fmt")) + CBOREncoder.encode(.text("none"))
        let attStmt = CBOREncoder.encode(.text("attStmt")) + [0xa0]
        let authDataKey = CBOREncoder.encode(.text("authData"))
        let cases: [(String, [UInt8])] = [
            ("duplicateKey", [0xa4] + fmt + fmt + attStmt + authDataKey + authData),
            ("indefiniteLength", [0xbf] + fmt + attStmt + authDataKey + authData + [0xff]),
            ("trailingBytes", r.attestationObject + [0xf6]),
            ("tooDeep", [0xa3] + fmt + CBOREncoder.encode(.text("attStmt")) + [UInt8](repeating: 0x81, count: 30) + [0] + authDataKey + authData),
            ("tooLarge", [0xa3] + fmt + attStmt + authDataKey + [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            ("nonCanonical", [0xb8, 0x03] + fmt + attStmt + authDataKey + authData),
        ]
        for (fault, bytes) in cases {
            let hostile = WebAuthnRegistration.Response(credentialId: r.credentialId, attestationObject: bytes, clientDataJSON: r.clientDataJSON)
            do {
                _ = try WebAuthnRegistration.verify(hostile, expectedChallenge: challenge, relyingParty: Fixture.development, requireUserVerification: true)
                Issue.record("\(fault) accepted")
            } catch {
                #expect(error.code == .malformed, "\(fault)")
                #expect(error.reason.contains(fault), "\(fault): \(error.reason)")
                #expect(error.description.hasPrefix("malformed: attestationObject: CBOR \(fault)"), "\(error)")
            }
        }
    }

    @Test("Extensions after the attested credential data are parsed and accepted")
    func extensions() throws {
        let withExtensions = try rebuilt(response()) { a in
            var b = a
            b[32] |= 0x80
            return b + CBOREncoder.encode(.map([(.text("credProtect"), .int(2))]))
        }
        #expect(register(withExtensions) == nil)
    }
}
