import CSecp256k1
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

@testable import CustosMPC

/// RFC 9591's test vectors and ZcashFoundation's (big identifiers, Taproot), byte for byte,
/// through one generic check per ciphersuite.
@Suite struct FROSTVectorTests {
    struct SigningVector: Decodable {
        struct Inputs: Decodable {
            struct Share: Decodable { let identifier: UInt64; let participant_share: String }
            let participant_list: [UInt64]
            let group_secret_key: String
            let group_public_key: String?
            let verifying_key_key: String?
            let message: String
            let share_polynomial_coefficients: [String]
            let participant_shares: [Share]
        }
        struct RoundOne: Decodable {
            struct Output: Decodable {
                let identifier: UInt64
                let hiding_nonce_randomness: String, binding_nonce_randomness: String
                let hiding_nonce: String, binding_nonce: String
                let hiding_nonce_commitment: String, binding_nonce_commitment: String
                let binding_factor_input: String, binding_factor: String
            }
            let outputs: [Output]
        }
        struct RoundTwo: Decodable {
            struct Output: Decodable { let identifier: UInt64; let sig_share: String }
            let outputs: [Output]
        }
        struct Final: Decodable { let sig: String }
        let inputs: Inputs
        let round_one_outputs: RoundOne
        let round_two_outputs: RoundTwo
        let final_output: Final
    }

    /// Runs one signing vector file. `rfcNonces`: the file derives nonces with RFC 9591's
    /// nonce_generate (ZcashFoundation's files start from the given nonces instead).
    static func check<Suite: Ciphersuite>(
        _: Suite.Type, file: String, rfcNonces: Bool,
        externalVerify: ([UInt8], [UInt8], Suite.Element) -> Bool
    ) throws {
        let v = try JSONDecoder().decode(SigningVector.self, from: TestEnvironment.vectorData("frost/\(file)"))
        func scalar(_ hex: String) throws -> Suite.Scalar { try Suite.Scalar(rawRepresentation: [UInt8](hex: hex)) }
        func element(_ hex: String) throws -> Suite.Element { try Suite.Element(serialized: [UInt8](hex: hex)) }

        // Key material: the dealer's polynomial reproduces every share and the group key.
        let groupKey = try element(v.inputs.group_public_key ?? v.inputs.verifying_key_key!)
        let secret = try scalar(v.inputs.group_secret_key)
        #expect(Suite.Element.generatorMultiple(secret) == groupKey, "\(file): group key")
        let polynomial = Polynomial(coefficients: [secret] + (try v.inputs.share_polynomial_coefficients.map(scalar)))
        let minSigners = polynomial.coefficients.count
        var keyPackages: [UInt64: KeyPackage<Suite>] = [:]
        var verifyingShares: [Identifier<Suite>: Suite.Element] = [:]
        for share in v.inputs.participant_shares {
            let id = try Identifier<Suite>(share.identifier)
            let s = try scalar(share.participant_share)
            #expect(polynomial.evaluate(at: id.scalar) == s, "\(file): share of \(share.identifier)")
            let kp = try KeyPackage<Suite>(identifier: id, unsafeSigningShare: s, verifyingKey: groupKey, minSigners: minSigners)
            keyPackages[share.identifier] = kp
            verifyingShares[id] = kp.verifyingShare
        }
        let publicKeyPackage = PublicKeyPackage(verifyingShares: verifyingShares, verifyingKey: groupKey, minSigners: minSigners)

        // Round one: nonces, commitments, binding factors.
        let message = try [UInt8](hex: v.inputs.message)
        var commitments: [Identifier<Suite>: FROST<Suite>.SigningCommitments] = [:]
        for o in v.round_one_outputs.outputs {
            let kp = keyPackages[o.identifier]!
            let nonces = FROST<Suite>.commit(
                keyPackage: kp, hidingRandomness: try [UInt8](hex: o.hiding_nonce_randomness),
                bindingRandomness: try [UInt8](hex: o.binding_nonce_randomness))
            if rfcNonces {
                #expect(nonces.hiding == (try scalar(o.hiding_nonce)), "\(file): hiding nonce of \(o.identifier)")
                #expect(nonces.binding == (try scalar(o.binding_nonce)), "\(file): binding nonce of \(o.identifier)")
            }
            let given = FROST<Suite>.nonces(hiding: try scalar(o.hiding_nonce), binding: try scalar(o.binding_nonce))
            #expect(given.commitments.hiding == (try element(o.hiding_nonce_commitment)), "\(file): D of \(o.identifier)")
            #expect(given.commitments.binding == (try element(o.binding_nonce_commitment)), "\(file): E of \(o.identifier)")
            commitments[kp.identifier] = given.commitments
        }
        let package = FROST<Suite>.SigningPackage(commitments: commitments, message: message)
        let prefix = try FROST<Suite>.Session.bindingFactorPrefix(
            package: package, signers: package.signers, verifyingKey: groupKey)
        let session = try FROST<Suite>.Session(package: package, verifyingKey: groupKey)
        for o in v.round_one_outputs.outputs {
            let id = try Identifier<Suite>(o.identifier)
            #expect((prefix + id.scalar.rawRepresentation).hexString == o.binding_factor_input,
                    "\(file): binding factor input of \(o.identifier)")
            #expect(session.bindingFactors[id] == (try scalar(o.binding_factor)), "\(file): binding factor of \(o.identifier)")
        }

        // Round two and aggregation.
        var shares: [Identifier<Suite>: FROST<Suite>.SignatureShare] = [:]
        for o in v.round_two_outputs.outputs {
            let kp = keyPackages[o.identifier]!
            let r1 = v.round_one_outputs.outputs.first { $0.identifier == o.identifier }!
            let nonces = FROST<Suite>.nonces(hiding: try scalar(r1.hiding_nonce), binding: try scalar(r1.binding_nonce))
            let share = try FROST<Suite>.sign(package: package, nonces: nonces, keyPackage: kp,
                                              publicKeyPackage: publicKeyPackage, expectedMessage: message)
            #expect(share.share.rawRepresentation.hexString == o.sig_share, "\(file): signature share of \(o.identifier)")
            shares[kp.identifier] = share
        }
        let signature = try FROST<Suite>.aggregate(package: package, shares: shares, publicKeyPackage: publicKeyPackage)
        let bytes = try signature.serializedBytes
        #expect(bytes.hexString == v.final_output.sig, "\(file): signature")
        #expect(FROST<Suite>.verify(signature: signature, message: message, verifyingKey: groupKey), "\(file): verify")
        #expect(externalVerify(bytes, message, groupKey), "\(file): independent verifier")
    }

    static func sodiumVerify(_ sig: [UInt8], _ msg: [UInt8], _ key: Ed25519.Point) -> Bool {
        Ed25519.isValidSignature(sig, for: msg, publicKey: (try? key.rawRepresentationExcludingIdentity()) ?? [])
    }

    static func bip340Verify(_ sig: [UInt8], _ msg: [UInt8], _ key: Secp256k1.Point) -> Bool {
        Secp256k1.Schnorr.isValidSignature(sig, for: msg, xOnlyPublicKey: (try? key.xOnlyRepresentation()) ?? [])
    }

    @Test(arguments: [
        ("rfc9591-ed25519-sha512.json", true),
        ("ed25519-vectors.json", false),
        ("ed25519-vectors-big-identifier.json", false),
    ])
    func ed25519(_ file: String, _ rfcNonces: Bool) throws {
        try Self.check(Ed25519SHA512.self, file: file, rfcNonces: rfcNonces, externalVerify: Self.sodiumVerify)
    }

    @Test(arguments: [
        ("rfc9591-secp256k1-sha256.json", true),
        ("secp256k1-vectors.json", false),
        ("secp256k1-vectors-big-identifier.json", false),
    ])
    func secp256k1(_ file: String, _ rfcNonces: Bool) throws {
        try Self.check(Secp256k1SHA256.self, file: file, rfcNonces: rfcNonces) { sig, msg, key in
            guard let s = try? FROST<Secp256k1SHA256>.Signature(serializedBytes: sig) else { return false }
            return FROST<Secp256k1SHA256>.verify(signature: s, message: msg, verifyingKey: key)
        }
    }

    @Test(arguments: ["secp256k1-tr-vectors.json", "secp256k1-tr-vectors-big-identifier.json"])
    func taproot(_ file: String) throws {
        try Self.check(Secp256k1TaprootSHA256.self, file: file, rfcNonces: false, externalVerify: Self.bip340Verify)
    }
}
