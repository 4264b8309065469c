import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

@testable import CustosMPC

/// ZcashFoundation's DKG vectors: each participant's commitments, proof of knowledge, shares
/// sent, and final key material, reproduced through part2 and part3.
@Suite struct DKGVectorTests {
    struct Participant: Decodable {
        let identifier: UInt64
        let signing_key: String
        let coefficient: String
        let vss_commitments: [String]
        let proof_of_knowledge: String
        let signing_shares: [String: String]
        let verifying_share: String
        let signing_share: String
    }

    static func check<Suite: Ciphersuite>(_: Suite.Type, file: String) throws {
        let object = try JSONSerialization.jsonObject(with: TestEnvironment.vectorData("frost/\(file)")) as! [String: Any]
        let inputs = object["inputs"] as! [String: Any]
        let config = object["config"] as! [String: Any]
        let maxSigners = config["MAX_PARTICIPANTS"] as! Int
        let minSigners = config["MIN_PARTICIPANTS"] as! Int
        var participants: [Identifier<Suite>: Participant] = [:]
        for (key, value) in inputs where Int(key) != nil {
            let p = try JSONDecoder().decode(Participant.self, from: JSONSerialization.data(withJSONObject: value))
            participants[try Identifier<Suite>(p.identifier)] = p
        }
        #expect(participants.count == maxSigners)
        func scalar(_ hex: String) throws -> Suite.Scalar { try Suite.Scalar(rawRepresentation: [UInt8](hex: hex)) }
        func element(_ hex: String) throws -> Suite.Element { try Suite.Element(serialized: [UInt8](hex: hex)) }

        // Round 1: the commitments follow from the coefficients, and the proofs verify.
        var round1: [Identifier<Suite>: DKG<Suite>.Round1.Package] = [:]
        var secrets: [Identifier<Suite>: DKG<Suite>.Round1.SecretPackage] = [:]
        for (id, p) in participants {
            let polynomial = Polynomial(coefficients: [try scalar(p.signing_key), try scalar(p.coefficient)])
            let commitment = VerifiableSecretSharingCommitment<Suite>(polynomial: polynomial)
            #expect(commitment.coefficients == (try p.vss_commitments.map(element)), "\(file): commitments of \(id)")
            let proof = try DKG<Suite>.Round1.ProofOfKnowledge(serializedBytes: [UInt8](hex: p.proof_of_knowledge))
            let package = DKG<Suite>.Round1.Package(commitment: commitment, proofOfKnowledge: proof)
            try DKG<Suite>.verify(package, from: id, minSigners: minSigners)
            #expect(try package.serializedBytes.suffix(Suite.signatureByteCount).hexString == p.proof_of_knowledge)
            round1[id] = package
            secrets[id] = .init(identifier: id, polynomial: polynomial, commitment: commitment,
                                minSigners: minSigners, maxSigners: maxSigners, context: [])
        }

        // Round 2 and 3: the shares sent match, and every participant ends with the vector's keys.
        var sent: [Identifier<Suite>: [Identifier<Suite>: DKG<Suite>.Round2.Package]] = [:]
        var round2Secrets: [Identifier<Suite>: DKG<Suite>.Round2.SecretPackage] = [:]
        for (id, secret) in secrets {
            let (r2secret, outgoing) = try DKG<Suite>.part2(secretPackage: secret, round1Packages: round1.filter { $0.key != id })
            for (to, package) in outgoing {
                // Each participant's entry lists the shares it received, by sender.
                let expected = participants[to]!.signing_shares[id.description]!
                #expect(package.signingShare == (try scalar(expected)), "\(file): share from \(id) to \(to)")
            }
            sent[id] = outgoing
            round2Secrets[id] = r2secret
        }
        var groupKeys: [Suite.Element] = []
        for (id, p) in participants {
            let received = Dictionary(uniqueKeysWithValues: sent.compactMap { from, packages in
                packages[id].map { (from, $0) }
            })
            let (key, pub) = try DKG<Suite>.part3(secretPackage: round2Secrets[id]!,
                                                   round1Packages: round1.filter { $0.key != id },
                                                   round2Packages: received)
            // frost-secp256k1-tr publishes key material after its post-DKG BIP-341 key-path-only
            // tweak (even-y internal key plus t, before the output key's own even-y negation);
            // the other suites publish it as it is.
            var (factor, offset) = (Suite.Scalar.one, Suite.Scalar.zero)
            if Suite.self == Secp256k1TaprootSHA256.self {
                let internalKey = key.verifyingKey as! Secp256k1.Point
                let first: Secp256k1.Scalar = internalKey.hasEvenY ? .one : -.one
                let t = try Secp256k1TaprootSHA256.tapTweak(internalKey: first * internalKey, merkleRoot: [])
                (factor, offset) = (first as! Suite.Scalar, t as! Suite.Scalar)
            }
            #expect(factor * key.signingShare + offset == (try scalar(p.signing_share)), "\(file): signing share of \(id)")
            #expect(factor * key.verifyingShare + .generatorMultiple(offset) == (try element(p.verifying_share)),
                    "\(file): verifying share of \(id)")
            #expect(pub.verifyingShares[id] == key.verifyingShare)
            groupKeys.append(key.verifyingKey)
        }
        #expect(Set(groupKeys.map(\.description)).count == 1, "\(file): everyone agrees on the group key")
        let expectedKey = try element(inputs["verifying_key"] as! String)
        if Suite.self == Secp256k1TaprootSHA256.self {
            // frost-secp256k1-tr publishes the BIP-341 key-path-only output key of the DKG.
            let output = try Secp256k1TaprootSHA256.outputKey(
                internalKey: groupKeys[0] as! Secp256k1.Point, tweak: .keyPathOnly)
            // The same x-only output key that BIP-340 verifies against.
            #expect(try output.xOnlyRepresentation() == (expectedKey as! Secp256k1.Point).xOnlyRepresentation(),
                    "\(file): verifying key")
        } else {
            #expect(groupKeys[0] == expectedKey, "\(file): verifying key")
        }
    }

    @Test func ed25519() throws { try Self.check(Ed25519SHA512.self, file: "ed25519-vectors_dkg.json") }
    @Test func secp256k1() throws { try Self.check(Secp256k1SHA256.self, file: "secp256k1-vectors_dkg.json") }
    @Test func taproot() throws { try Self.check(Secp256k1TaprootSHA256.self, file: "secp256k1-tr-vectors_dkg.json") }
}
