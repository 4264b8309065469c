import CustosCore
import CustosCrypto
import CustosTestSupport
import Testing

@testable import CustosMPC

/// Cross-checks against coincurve (PyPI), run as a separate Python process: point arithmetic
/// on random scalars, and Taproot FROST signatures verified by coincurve's BIP-340 verifier.
@Suite struct CoincurveCrossCheckTests {
    struct Request: Encodable {
        struct ScalarCase: Encodable { let a: String; let b: String }
        struct Schnorr: Encodable { let key: String; let message: String; let signature: String }
        let scalarCases: [ScalarCase]
        let schnorr: [Schnorr]
    }
    struct Response: Decodable {
        struct ScalarCase: Decodable { let aG: String; let bTimesAG: String; let sum: String? }
        let scalarCases: [ScalarCase]
        let schnorr: [Bool]
    }

    @Test func pointArithmeticAndTaprootSignaturesAgree() async throws {
        typealias TR = Secp256k1TaprootSHA256
        var scalars: [(Secp256k1.Scalar, Secp256k1.Scalar)] = (0..<100).map { _ in (.random(), .random()) }
        let a = Secp256k1.Scalar.random()
        scalars.append((a, -a))  // a·G + (−a)·G is the point at infinity
        scalars.append((.one, Secp256k1.Scalar(2)))

        let (keys, pub) = try LocalCeremony<TR>.keyGeneration(identifiers: (1...4).map { try Identifier(UInt64($0)) },
                                                               minSigners: 3)
        var schnorr: [Request.Schnorr] = []
        for i in 0..<8 {
            let message = SecureRandom.bytes(count: 32)
            let tweak: TaprootTweak? = i % 2 == 0 ? .keyPathOnly : nil
            let signature = try LocalCeremony.sign(message: message, signers: Array(keys.values.shuffled().prefix(3)),
                                                   publicKeyPackage: pub, tweak: tweak)
            var bytes = try signature.serializedBytes
            if i == 7 { bytes[40] ^= 1 }  // one corrupted signature must be rejected
            schnorr.append(.init(key: try TR.outputKey(internalKey: pub.verifyingKey, tweak: tweak).xOnlyRepresentation().hexString,
                                 message: message.hexString, signature: bytes.hexString))
        }
        let request = Request(
            scalarCases: scalars.map { .init(a: $0.0.rawRepresentation.hexString, b: $0.1.rawRepresentation.hexString) },
            schnorr: schnorr)
        let response = try await PythonPeer.call("secp256k1_peer.py", request, as: Response.self)
        #expect(response.scalarCases.count == scalars.count)
        for ((a, b), theirs) in zip(scalars, response.scalarCases) {
            let aG = Secp256k1.Point.generatorMultiple(a)
            #expect(try aG.compressedRepresentation().hexString == theirs.aG)
            #expect(try (b * aG).compressedRepresentation().hexString == theirs.bTimesAG)
            let sum = aG + Secp256k1.Point.generatorMultiple(b)
            #expect((try? sum.compressedRepresentation().hexString) == theirs.sum)
        }
        #expect(response.schnorr == [true, true, true, true, true, true, true, false])
    }
}
