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

    /// A crash between recording a use and computing the share (the fault-injection point of
    /// `OneTimeSigner`): why a signer crashed, and whether the use was on record at that moment.
    struct CrashAfterRecording: Error {
        let recorded: Bool
    }

    /// A node database in a file, so that a restart opens what the crashed signer wrote.
    static func databaseFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("custos-one-time-\(UUID().uuidString).sqlite").path
    }

    /// Would have caught a signer that computes (or sends) the share before the use is durable:
    /// at the crash the record is already there, and after a restart the restored nonce pair is
    /// refused for this and for any other signing package.
    @Test func frostNonceIsRecordedBeforeTheShareIsComputedAndACrashBetweenBurnsIt() throws {
        typealias S = Secp256k1TaprootSHA256
        let ids = try (1...3).map { try Identifier<S>(UInt64($0)) }
        let (keys, pub) = try LocalCeremony<S>.keyGeneration(identifiers: ids, minSigners: 2)
        let path = Self.databaseFile()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try NodeDatabase(path: path)
        let message = SecureRandom.bytes(count: 32)
        let a = FROST<S>.commit(keyPackage: keys[ids[0]]!)
        let b = FROST<S>.commit(keyPackage: keys[ids[1]]!)
        let sealed = try a.sealedRepresentation()
        let commitments = [ids[0]: a.commitments, ids[1]: b.commitments]
        let package = FROST<S>.SigningPackage(commitments: commitments, message: message)
        let id = Hashes.sha256(Array(S.contextString.utf8), try a.commitments.serializedBytes)
        #expect(try !database.hasUsed(.frostNonce, id: id))
        let crashing = OneTimeSigner(unsafeDatabase: database) {
            throw CrashAfterRecording(recorded: try database.hasUsed(.frostNonce, id: id))
        }
        do {
            _ = try crashing.frostShare(package: package, nonces: a, keyPackage: keys[ids[0]]!, publicKeyPackage: pub,
                                        expectedMessage: message)
            Issue.record("the signer computed a share past the crash point")
        } catch let crash as CrashAfterRecording {
            #expect(crash.recorded, "the share was about to be computed before the nonce's use was on record")
        }

        // The restarted node opens the same database; the nonce pair restored from its sealed copy
        // signs nothing, neither this package nor another message.
        let restarted = OneTimeSigner(database: try NodeDatabase(path: path))
        #expect(try restarted.database.hasUsed(.frostNonce, id: id))
        for signed in [message, SecureRandom.bytes(count: 32)] {
            let again = FROST<S>.SigningPackage(commitments: commitments, message: signed)
            do {
                _ = try restarted.frostShare(package: again, nonces: try FROST<S>.SigningNonces(sealedRepresentation: sealed),
                                             keyPackage: keys[ids[0]]!, publicKeyPackage: pub, expectedMessage: signed)
                Issue.record("a nonce pair signed after a crash had burnt it")
            } catch let error as StorageError {
                #expect(error.code == .alreadyUsed)
            }
        }
        _ = b
    }

    /// The same for a presignature: would have caught a threshold-ECDSA share computed before its
    /// presignature's use is durable.
    @Test func presignatureIsRecordedBeforeTheShareIsComputedAndACrashBetweenBurnsIt() throws {
        let ids = try (1...3).map { try T.ID(UInt64($0)) }
        let keys = try T.Local.keyGeneration(identifiers: ids, maxFaulty: 1)
        let sealed = try T.Local.presign(keyShares: keys, signers: ids)[ids[0]]!.take()!.sealedRepresentation()
        let path = Self.databaseFile()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let database = try NodeDatabase(path: path)
        let presignature = try T.Presignature(sealedRepresentation: sealed)
        let id = presignature.context.sessionID + presignature.identifier.scalar.rawRepresentation
        let request = try T.SignRequest(messageHash: SecureRandom.bytes(count: 32), entropy: SecureRandom.bytes(count: 32))
        let crashing = OneTimeSigner(unsafeDatabase: database) {
            throw CrashAfterRecording(recorded: try database.hasUsed(.presignature, id: id))
        }
        do {
            _ = try crashing.ecdsaShare(presignature: presignature, keyShare: keys[ids[0]]!, signers: ids, request: request)
            Issue.record("the signer computed a share past the crash point")
        } catch let crash as CrashAfterRecording {
            #expect(crash.recorded, "the share was about to be computed before the presignature's use was on record")
        }
        let restarted = OneTimeSigner(database: try NodeDatabase(path: path))
        do {
            _ = try restarted.ecdsaShare(presignature: try T.Presignature(sealedRepresentation: sealed), keyShare: keys[ids[0]]!,
                                         signers: ids, request: request)
            Issue.record("a presignature signed after a crash had burnt it")
        } catch let error as StorageError {
            #expect(error.code == .alreadyUsed)
        }
    }
}
