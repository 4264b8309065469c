import Crypto
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosTestSupport
import Foundation
import Testing

/// Cross-checks against independent implementations in Python: python-fido2 and `cryptography`
/// build registrations and assertions that Swift verifies; py_webauthn verifies Swift's software
/// authenticator; the `rfc8785` package canonicalizes the same JSON; `cryptography` signs and
/// verifies bot requests.
@Suite("Cross-checks with Python")
struct CrossCheckTests {
    struct MakeRequest: Codable {
        struct Params: Codable {
            let rp_id: String
            let origin: String
            let reg_challenge: String
            let challenges: [String]
            let alg: String
        }
        let make: Params
    }
    struct Registration: Codable {
        let credential_id: String
        let attestation_object: String
        let client_data: String
    }
    struct Assertion: Codable {
        let authenticator_data: String
        let client_data: String
        let signature: String
        var challenge: String? = nil
    }
    struct MakeResponse: Codable {
        struct Made: Codable {
            let registration: Registration
            let assertions: [Assertion]
        }
        let make: Made
    }

    @Test("Registrations and assertions made by python-fido2 and cryptography verify in Swift", arguments: ["ES256", "EdDSA"])
    func pythonToSwift(alg: String) async throws {
        let registrationChallenge = Fixture.challenge("python registration")
        let approvals = (1...3).map { Fixture.challenge("python approval \($0)") }
        let made = try await PythonPeer.call(
            "webauthn_peer.py",
            MakeRequest(make: .init(rp_id: Fixture.rpId, origin: Fixture.origin, reg_challenge: registrationChallenge.hexString,
                                    challenges: approvals.map(\.hexString), alg: alg)),
            as: MakeResponse.self
        ).make
        let registration = WebAuthnRegistration.Response(
            credentialId: [UInt8](h: made.registration.credential_id),
            attestationObject: [UInt8](h: made.registration.attestation_object),
            clientDataJSON: [UInt8](h: made.registration.client_data))
        // Attestation "none": a development relying party registers it (production asks for an
        // attestation chaining to its roots, AttestationTests); assertions verify in production.
        var credential = try WebAuthnRegistration.verify(
            registration, expectedChallenge: registrationChallenge, relyingParty: Fixture.development, requireUserVerification: true)
        #expect(!credential.isSoftware)
        #expect(try credential.coseKey().algorithm == (alg == "ES256" ? .es256 : .edDSA))

        var responses: [WebAuthnAssertion.Response] = []
        for (assertion, challenge) in zip(made.assertions, approvals) {
            let response = WebAuthnAssertion.Response(
                credentialId: credential.credentialId, authenticatorData: [UInt8](h: assertion.authenticator_data),
                clientDataJSON: [UInt8](h: assertion.client_data), signature: [UInt8](h: assertion.signature))
            #expect(webAuthnCode { () throws(WebAuthnError) in
                try WebAuthnAssertion.verify(response, credential: credential, expectedChallenge: approvals[0] == challenge ? approvals[1] : approvals[0],
                                             relyingParty: Fixture.production, requireUserVerification: true)
            } == .wrongChallenge)
            let verified = try WebAuthnAssertion.verify(
                response, credential: credential, expectedChallenge: challenge, relyingParty: Fixture.production,
                requireUserVerification: true)
            credential = verified.credential
            responses.append(response)
        }
        #expect(credential.signCount == 3)
        // Replaying the first approval after the third is refused.
        #expect(webAuthnCode { () throws(WebAuthnError) in
            try WebAuthnAssertion.verify(responses[0], credential: credential, expectedChallenge: approvals[0],
                                         relyingParty: Fixture.production, requireUserVerification: true)
        } == .counterNotIncreased)
    }

    struct VerifyRequest: Codable {
        struct Params: Codable {
            let rp_id: String
            let origin: String
            let reg_challenge: String
            let registration: Registration
            let assertions: [Assertion]
        }
        let verify: Params
    }
    struct VerifyResponse: Codable {
        struct Result: Codable {
            struct Reg: Codable {
                let credential_id: String
                let public_key: String
                let sign_count: Int
                let fmt: String
            }
            struct Outcome: Codable {
                let ok: Bool
                let new_sign_count: Int?
                let error: String?
            }
            let registration: Reg
            let assertions: [Outcome]
        }
        let verify: Result
    }

    @Test("py_webauthn verifies the software authenticator's registration and assertions")
    func swiftToPython() async throws {
        var authenticator = SoftwareAuthenticator.generate()
        let registrationChallenge = Fixture.challenge("swift registration")
        let registration = authenticator.register(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: registrationChallenge)
        var assertions: [Assertion] = []
        for i in 1...3 {
            let challenge = Fixture.challenge("swift approval \(i)")
            let a = authenticator.getAssertion(relyingPartyId: Fixture.rpId, origin: Fixture.origin, challenge: challenge)
            assertions.append(Assertion(authenticator_data: a.authenticatorData.hexString, client_data: a.clientDataJSON.hexString,
                                        signature: a.signature.hexString, challenge: challenge.hexString))
        }
        var forged = assertions[2]
        let forgedSignature = [UInt8](h: forged.signature)
        forged = Assertion(authenticator_data: forged.authenticator_data, client_data: forged.client_data,
                           signature: (forgedSignature.dropLast() + [forgedSignature.last! ^ 1]).hexString, challenge: forged.challenge)
        let replayed = assertions[1]
        let result = try await PythonPeer.call(
            "webauthn_peer.py",
            VerifyRequest(verify: .init(
                rp_id: Fixture.rpId, origin: Fixture.origin, reg_challenge: registrationChallenge.hexString,
                registration: Registration(credential_id: registration.credentialId.hexString,
                                           attestation_object: registration.attestationObject.hexString,
                                           client_data: registration.clientDataJSON.hexString),
                assertions: assertions + [forged, replayed])),
            as: VerifyResponse.self
        ).verify
        #expect(result.registration.fmt == "none")
        #expect(result.registration.credential_id == authenticator.credentialId.hexString)
        #expect(result.registration.public_key == authenticator.publicKey.encoded.hexString)
        #expect(result.assertions.map(\.ok) == [true, true, true, false, false], "\(result.assertions.compactMap(\.error))")
        #expect(result.assertions.prefix(3).map(\.new_sign_count) == [1, 2, 3])
    }

    struct JCSRequest: Codable {
        let documents: [String]
        let doubles: [String]
    }
    struct JCSResponse: Codable {
        let documents: [String?]
        let doubles: [String]
    }

    @Test("RFC 8785 canonical bytes match the rfc8785 package on random documents and doubles")
    func jcs() async throws {
        var rng = SeededGenerator(seed: 8785)
        let documents = (0..<400).map { _ in randomJSON(&rng, depth: 0) }
        var doubles: [Double] = [0, -0.0, 1, 0.1, 1e21, 1e-7, Double(bitPattern: 1), .greatestFiniteMagnitude, 9007199254740992]
        while doubles.count < 3_000 {
            let d: Double
            switch doubles.count % 3 {
            case 0: d = Double(bitPattern: rng.next())
            case 1: d = Double(Int64.random(in: -(1 << 60)...(1 << 60), using: &rng)) / Double(1 << Int.random(in: 0...40, using: &rng))
            default: d = Double(sign: .plus, exponent: Int.random(in: -80...80, using: &rng), significand: Double.random(in: 1..<2, using: &rng))
            }
            if d.isFinite { doubles.append(d) }
        }
        let answer = try await PythonPeer.call(
            "jcs_peer.py",
            JCSRequest(documents: documents, doubles: doubles.map { String($0.bitPattern, radix: 16).leftPadded(16) }),
            as: JCSResponse.self)
        // Both sides must actually canonicalize nearly all of them, or the comparison says little.
        #expect(answer.documents.compactMap { $0 }.count > 390)
        for (document, python) in zip(documents, answer.documents) {
            let swift = try? JCS.canonicalize(Array(document.utf8))
            #expect(swift.map { String(decoding: $0, as: UTF8.self) } == python, "\(document)")
        }
        var mismatches = 0
        for (d, python) in zip(doubles, answer.doubles) where JCS.serialize(number: d) != python {
            mismatches += 1
            if mismatches < 5 { Issue.record("\(String(d.bitPattern, radix: 16)): Swift \(JCS.serialize(number: d)), Python \(python)") }
        }
        #expect(mismatches == 0)
    }

    struct SigningRequest: Codable {
        struct Sign: Codable {
            let alg: String
            let body: String
            let cluster: String
            let keyId: String
            let timestamp: Int64
            let nonce: String
        }
        struct Verify: Codable {
            let alg: String
            let public_key: String
            let envelope: String
        }
        let sign: [Sign]
        let verify: [Verify]
    }
    struct SigningResponse: Codable {
        struct Signed: Codable {
            let public_key: String
            let envelope: String
        }
        let sign: [Signed]
        let verify: [Bool]
    }

    @Test("Bot requests signed by Python verify in Swift, and Swift's verify in Python")
    func requestSigning() async throws {
        let now: Int64 = 1_763_726_400_000
        let cluster: [UInt8] = Array(repeating: 0xc5, count: 32)
        let body = #"{"type":"transfer","amount":"1000.5","limits":[1,2.5,1e21,0.000001,-0],"memo":"€ \u0001 😀","nested":{"z":null,"a":true}}"#
        let algorithms: [(String, BotPublicKey.Algorithm)] = [("Ed25519", .ed25519), ("ES256", .p256)]
        let swiftKeys = [BotSigningKey(ed25519: .init()), BotSigningKey(p256: .init())]
        let swiftSigned = zip(algorithms, swiftKeys).enumerated().map { i, pair in
            SigningRequest.Verify(
                alg: pair.0.0, public_key: pair.1.publicKey.rawRepresentation.hexString,
                envelope: String(decoding: SignedRequest(
                    body: try! JSONParser().parse(Array(body.utf8)), cluster: cluster, keyId: "swift-bot", timestamp: now,
                    nonce: "c3dpZnQtbm9uY2UtMDAwMD\(i)", key: pair.1).jsonBytes, as: UTF8.self))
        }
        var tampered = swiftSigned[0]
        tampered = .init(alg: tampered.alg, public_key: tampered.public_key, envelope: tampered.envelope.replacingOccurrences(of: "1000.5", with: "1000.6"))
        let answer = try await PythonPeer.call(
            "request_signing_peer.py",
            SigningRequest(
                sign: algorithms.enumerated().map { i, a in
                    .init(alg: a.0, body: body, cluster: cluster.hexString, keyId: "python-bot", timestamp: now, nonce: "cHl0aG9uLW5vbmNlLTAwMD\(i)")
                },
                verify: swiftSigned + [tampered]),
            as: SigningResponse.self)
        #expect(answer.verify == [true, true, false])
        var cache = ReplayCache()
        for (signed, algorithm) in zip(answer.sign, algorithms) {
            let request = try SignedRequest(json: Array(signed.envelope.utf8))
            let key = try BotPublicKey(algorithm: algorithm.1, rawRepresentation: [UInt8](h: signed.public_key))
            try RequestVerifier().verify(request, keyId: "python-bot", key: key, cluster: cluster, now: now + 1_000, replayCache: &cache)
            #expect(request.body == (try JSONParser().parse(Array(body.utf8))))
        }
        #expect(cache.entries.count == 2)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
