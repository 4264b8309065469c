import CustosCore
import CustosCrypto
import CustosMPC
import CustosNode
import CustosSigning
import Foundation
import Testing

/// A presignature or nonce restored twice (as after a restart from sealed storage) signs once.
@Suite struct OneTimeSignerTests {
    typealias T = ThresholdECDSA

    @Test func restoredPresignatureSignsOnlyOnce() throws {
        let ids = try (1...3).map { try T.ID(UInt64($0)) }
        let keys = try T.Local.keyGeneration(identifiers: ids, maxFaulty: 1)
        let sealed = try T.Local.presign(keyShares: keys, signers: ids)[ids[0]]!.take()!.sealedRepresentation()
        let signer = OneTimeSigner(database: try NodeDatabase.inMemory())
        let request = try T.SignRequest(messageHash: SecureRandom.bytes(count: 32), entropy: SecureRandom.bytes(count: 32))
        _ = try signer.ecdsaShare(presignature: try T.Presignature(sealedRepresentation: sealed), keyShare: keys[ids[0]]!,
                                  signers: ids, request: request)
        // The same sealed presignature, restored again (a restart), for the same or another request.
        for again in [request, try T.SignRequest(messageHash: SecureRandom.bytes(count: 32), entropy: SecureRandom.bytes(count: 32))] {
            do {
                _ = try signer.ecdsaShare(presignature: try T.Presignature(sealedRepresentation: sealed),
                                          keyShare: keys[ids[0]]!, signers: ids, request: again)
                Issue.record("a presignature signed twice")
            } catch let error as StorageError {
                #expect(error.code == .alreadyUsed)
            }
        }
    }

    @Test func frostNonceIsRecordedBeforeSigning() throws {
        typealias S = Secp256k1TaprootSHA256
        let ids = try (1...3).map { try Identifier<S>(UInt64($0)) }
        let (keys, pub) = try LocalCeremony<S>.keyGeneration(identifiers: ids, minSigners: 2)
        let database = try NodeDatabase.inMemory()
        let signer = OneTimeSigner(database: database)
        let message = SecureRandom.bytes(count: 32)
        let a = FROST<S>.commit(keyPackage: keys[ids[0]]!)
        let b = FROST<S>.commit(keyPackage: keys[ids[1]]!)
        let package = FROST<S>.SigningPackage(commitments: [ids[0]: a.commitments, ids[1]: b.commitments], message: message)
        let id = Hashes.sha256(Array(S.contextString.utf8), try a.commitments.serializedBytes)
        #expect(try !database.hasUsed(.frostNonce, id: id))
        _ = try signer.frostShare(package: package, nonces: a, keyPackage: keys[ids[0]]!, publicKeyPackage: pub,
                                  expectedMessage: message)
        #expect(try database.hasUsed(.frostNonce, id: id))
        _ = b
    }
}
