import CustosCore
import CustosCrypto
import CustosIdentity
import CustosTestSupport
import Foundation
import Testing

/// Attestation as a production cluster checks it, against registrations a test CA made in
/// Python (`attestation_peer.py`): `packed` and `fido-u2f` statements chaining to the cluster's
/// root are accepted (and python-fido2 and py_webauthn accept them too); the same registrations
/// are refused against another vendor's root, with a forged signature, or with no root at all;
/// `none` is refused in production whatever AAGUID it claims, and a software credential with it.
@Suite("WebAuthn attestation")
struct AttestationTests {
    static let challenge = Fixture.challenge("register a security key")

    func response(_ r: AttestationPeer.Registration) -> WebAuthnRegistration.Response {
        WebAuthnRegistration.Response(credentialId: r.credentialId, attestationObject: r.attestationObject, clientDataJSON: r.clientDataJSON)
    }

    func register(_ r: WebAuthnRegistration.Response, roots: [[UInt8]], relyingParty: RelyingParty = Fixture.production,
                  at time: UInt64? = 1_800_000_000_000) -> WebAuthnError.Code? {
        webAuthnCode { () throws(WebAuthnError) in
            try WebAuthnRegistration.verify(r, expectedChallenge: Self.challenge, relyingParty: relyingParty, requireUserVerification: true,
                                            attestationRoots: roots, at: time)
        }
    }

    @Test("packed and fido-u2f chaining to the named root are accepted; another root, no root, a forgery are refused",
          arguments: ["packed", "fido-u2f"])
    func attested(format: String) async throws {
        let made = try await AttestationPeer.make(rpId: Fixture.rpId, origin: Fixture.origin, [(Self.challenge, format)])
        let r = try #require(made.registrations.first)
        // The independent verifiers agree that the statement and its chain are sound.
        #expect(r.fido2 == true && r.pyWebAuthn == true)

        let credential = try WebAuthnRegistration.verify(
            response(r), expectedChallenge: Self.challenge, relyingParty: Fixture.production, requireUserVerification: true,
            attestationRoots: [made.trustedRoot], at: 1_800_000_000_000)
        #expect(!credential.isSoftware && credential.aaguid == r.aaguid && credential.credentialId == r.credentialId)
        #expect(register(response(r), roots: [made.otherRoot, made.trustedRoot]) == nil)
        // Genesis has no time: the chain is checked without a validity period.
        #expect(register(response(r), roots: [made.trustedRoot], at: nil) == nil)

        // Another vendor's root, or none named: the chain reaches no trusted root.
        #expect(register(response(r), roots: [made.otherRoot]) == .untrustedAttestation)
        #expect(register(response(r), roots: []) == .untrustedAttestation)
        // Outside the certificates' validity (the year 2000).
        #expect(register(response(r), roots: [made.trustedRoot], at: 946_684_800_000) == .untrustedAttestation)
        // A development relying party takes a sound statement without a root.
        #expect(register(response(r), roots: [], relyingParty: Fixture.development) == nil)

        // The signature over another challenge (client data altered after signing) is refused
        // whatever the root, also in development.
        let other = Fixture.challenge("another operation")
        let altered = String(decoding: r.clientDataJSON, as: UTF8.self)
            .replacingOccurrences(of: Base64URL.encode(Self.challenge), with: Base64URL.encode(other))
        let forged = WebAuthnRegistration.Response(credentialId: r.credentialId, attestationObject: r.attestationObject,
                                                   clientDataJSON: Array(altered.utf8))
        #expect(webAuthnCode { () throws(WebAuthnError) in
            try WebAuthnRegistration.verify(forged, expectedChallenge: other, relyingParty: Fixture.development, requireUserVerification: true,
                                            attestationRoots: [made.trustedRoot], at: 1_800_000_000_000)
        } == .badSignature)
    }

    @Test("none is refused in production, whatever the authenticator claims to be")
    func none() async throws {
        let made = try await AttestationPeer.make(rpId: Fixture.rpId, origin: Fixture.origin, [(Self.challenge, "none")])
        let r = try #require(made.registrations.first)
        #expect(register(response(r), roots: [made.trustedRoot]) == .softwareCredentialRefused)
        #expect(register(response(r), roots: [made.trustedRoot], relyingParty: Fixture.development) == nil)
        // A software credential (attestation none) is refused by the same check.
        let software = SoftwareAuthenticator.generate().register(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: Self.challenge)
        #expect(register(software, roots: [made.trustedRoot]) == .softwareCredentialRefused)
    }

    @Test("Approvers see the AAGUID and the model it names")
    func description() async throws {
        let made = try await AttestationPeer.make(rpId: Fixture.rpId, origin: Fixture.origin, [(Self.challenge, "packed")])
        let r = try #require(made.registrations.first)
        #expect(response(r).authenticatorDescription == "YubiKey 5 Series (AAGUID cb69481e-8ff7-4039-93ec-0a2729a154a8)")
        let software = SoftwareAuthenticator.generate().register(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: Self.challenge)
        #expect(software.authenticatorDescription.hasPrefix("Custos development software credential (AAGUID "))
    }
}
