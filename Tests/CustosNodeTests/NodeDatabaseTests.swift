import CustosCore
import CustosCrypto
import CustosNode
import Foundation
import Testing

/// One-time secrets and votes are recorded durably, once, even across reopening and between
/// two handles on the same file (as two processes would have).
@Suite struct NodeDatabaseTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("custos-node-\(UUID().uuidString).sqlite").path
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// Every commit waits for the disk (synchronous = FULL; GRDB turns WAL on with NORMAL, which
    /// survives the process dying but not the machine losing power): a recorded use of a nonce
    /// is on the disk before the share it protects leaves the node.
    @Test func theWriterCommitsToTheDiskBeforeReturning() throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let db = try NodeDatabase(path: path)
        #expect(try db.writerSynchronous() == 2)
        try db.recordUse(of: .frostNonce, id: SecureRandom.bytes(count: 32), purpose: SecureRandom.bytes(count: 32))
        #expect(try db.writerSynchronous() == 2)
        #expect(try NodeDatabase(path: path).writerSynchronous() == 2)
    }

    @Test func aOneTimeSecretIsUsedOnce() throws {
        let db = try NodeDatabase.inMemory()
        let id = SecureRandom.bytes(count: 32)
        let purpose = SecureRandom.bytes(count: 32)
        try db.recordUse(of: .presignature, id: id, purpose: purpose)
        #expect(try db.hasUsed(.presignature, id: id))
        #expect(throws: StorageError(.alreadyUsed, "")) { try db.recordUse(of: .presignature, id: id, purpose: purpose) }
        #expect(throws: StorageError(.alreadyUsed, "")) {
            try db.recordUse(of: .presignature, id: id, purpose: SecureRandom.bytes(count: 32))
        }
        // Another kind with the same id is another secret.
        try db.recordUse(of: .frostNonce, id: id, purpose: purpose)
        #expect(throws: StorageError(.invalidInput, "")) { try db.recordUse(of: .frostNonce, id: [], purpose: purpose) }
        #expect(throws: StorageError(.invalidInput, "")) { try db.recordUse(of: .frostNonce, id: id, purpose: [1]) }
    }

    @Test func useRecordsAndVotesSurviveReopening() throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let id = SecureRandom.bytes(count: 32)
        let hash = SecureRandom.bytes(count: 32)
        do {
            let db = try NodeDatabase(path: path)
            try db.recordUse(of: .frostNonce, id: id, purpose: SecureRandom.bytes(count: 32))
            _ = try db.recordVote(height: 7, blockHash: hash, vote: [1, 2, 3])
        }
        let reopened = try NodeDatabase(path: path)
        #expect(try reopened.hasUsed(.frostNonce, id: id))
        #expect(throws: StorageError(.alreadyUsed, "")) {
            try reopened.recordUse(of: .frostNonce, id: id, purpose: SecureRandom.bytes(count: 32))
        }
        #expect(throws: StorageError(.conflictingVote, "")) {
            _ = try reopened.recordVote(height: 7, blockHash: SecureRandom.bytes(count: 32), vote: [9])
        }
        #expect(try reopened.lastVote()?.height == 7)
    }

    @Test func votingTwiceAtOneHeightReturnsTheSameVote() throws {
        let db = try NodeDatabase.inMemory()
        let hash = SecureRandom.bytes(count: 32)
        #expect(try db.recordVote(height: 1, blockHash: hash, vote: [1]) == [1])
        // A resend of the same block gets the stored vote, not a new one.
        #expect(try db.recordVote(height: 1, blockHash: hash, vote: [2]) == [1])
        #expect(throws: StorageError(.conflictingVote, "")) {
            _ = try db.recordVote(height: 1, blockHash: SecureRandom.bytes(count: 32), vote: [3])
        }
        _ = try db.recordVote(height: 2, blockHash: SecureRandom.bytes(count: 32), vote: [4])
        #expect(try db.lastVote()?.height == 2)
    }

    /// A floor learned from voting records: no vote where the original may have voted, round
    /// changes above every height up to it only with a listing where it may have voted; a floor
    /// that leaves more free replaces it, one that leaves less does not; the entry's height is
    /// recorded once; reopened, it holds.
    @Test func aRestoredNodeVotesWhereItsOriginalCannotHaveVoted() throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let nonce = SecureRandom.bytes(count: 32)
        func vote(_ db: NodeDatabase, _ height: UInt64, _ round: UInt32) throws -> [UInt8] {
            try db.recordVote(height: height, round: round, blockHash: SecureRandom.bytes(count: 32), vote: [UInt8(height), UInt8(round)])
        }
        do {
            let db = try NodeDatabase(path: path)
            try db.markRestored(nonce: nonce)
            try db.liftRestorationFloor(nonce: nonce, committed: 5, rounds: [6: 2, 7: 0, 4: 9])
            #expect(try db.restoration() == NodeDatabase.Restoration(nonce: nonce, floor: 5, rounds: [6: 2, 7: 0]))
            for (height, round): (UInt64, UInt32) in [(5, 9), (6, 0), (6, 2), (7, 0)] {
                #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try vote(db, height, round) }
            }
            // Round changes: none up to 5, none at 6 or 7 without a listing; with one, any round there.
            #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try db.recordRoundChange(height: 5, round: 0, change: [1], restorationListing: true) }
            #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try db.recordRoundChange(height: 6, round: 3, change: [1]) }
            #expect(try db.recordRoundChange(height: 6, round: 2, change: [2], restorationListing: true) == [2])
            #expect(try vote(db, 6, 3) == [6, 3])
            #expect(try vote(db, 7, 1) == [7, 1])
            #expect(try vote(db, 8, 0) == [8, 0])
            #expect(try db.recordRoundChange(height: 8, round: 0, change: [3]) == [3])
            // A floor that covers more (later records, the entry at 8) is not taken; the entry's height is recorded.
            try db.liftRestorationFloor(nonce: nonce, committed: 6, rounds: [7: 0])
            try db.liftRestorationFloor(nonce: nonce, to: 8)
            #expect(try db.restoration() == NodeDatabase.Restoration(nonce: nonce, floor: 5, rounds: [6: 2, 7: 0], entryHeight: 8))
            #expect(throws: StorageError(.invalidInput, "")) { try db.liftRestorationFloor(nonce: SecureRandom.bytes(count: 32), committed: 1, rounds: [:]) }
            let record = try db.votingRecord()
            #expect(record.lastVote?.height == 8 && record.lastVote?.round == 0 && record.lastRoundChange == [3])
        }
        // Reopened and marked again: a floor covering less replaces one covering more.
        let db = try NodeDatabase(path: path)
        #expect(try db.restoration()?.rounds == [6: 2, 7: 0])
        try db.markRestored(nonce: nonce)
        #expect(try db.restoration() == NodeDatabase.Restoration(nonce: nonce, floor: nil))
        // Announced once per restore: another nonce marks nothing; marked again, it is to announce again.
        try db.markRestorationAnnounced(nonce: SecureRandom.bytes(count: 32))
        #expect(try db.restoration()?.announced == false)
        try db.markRestorationAnnounced(nonce: nonce)
        #expect(try db.restoration()?.announced == true)
        try db.markRestored(nonce: nonce)
        #expect(try db.restoration()?.announced == false)
        try db.liftRestorationFloor(nonce: nonce, to: 4)
        try db.liftRestorationFloor(nonce: nonce, committed: 3, rounds: [4: 1])
        #expect(try db.restoration() == NodeDatabase.Restoration(nonce: nonce, floor: 3, rounds: [4: 1], entryHeight: 4))
        #expect(try db.restoration()?.needsListing(at: 4) == true)
        #expect(try db.restoration()?.needsListing(at: 5) == false)
    }

    /// A restored node's floor: no vote nor round change before it is set, none at or below it,
    /// only the restore's own nonce sets it, once, and it survives reopening.
    @Test func aRestoredNodeVotesOnlyAboveItsFloor() throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let nonce = SecureRandom.bytes(count: 32)
        do {
            let db = try NodeDatabase(path: path)
            #expect(try db.restoration() == nil)
            _ = try db.recordVote(height: 3, blockHash: SecureRandom.bytes(count: 32), vote: [1])
            try db.markRestored(nonce: nonce)
            #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try db.recordVote(height: 900, blockHash: SecureRandom.bytes(count: 32), vote: [2]) }
            #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try db.recordRoundChange(height: 900, round: 0, change: [2]) }
            #expect(throws: StorageError(.invalidInput, "")) { try db.liftRestorationFloor(nonce: SecureRandom.bytes(count: 32), to: 5) }
            #expect(throws: StorageError(.invalidInput, "")) { try db.markRestored(nonce: [1, 2]) }
            try db.liftRestorationFloor(nonce: nonce, to: 5)
            // A later commit of the same entry keeps the first floor.
            try db.liftRestorationFloor(nonce: nonce, to: 9)
        }
        let db = try NodeDatabase(path: path)
        #expect(try db.restoration()?.nonce == nonce && db.restoration()?.floor == 5)
        for height: UInt64 in [3, 4, 5] {
            #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try db.recordVote(height: height, blockHash: SecureRandom.bytes(count: 32), vote: [3]) }
            #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try db.recordRoundChange(height: height, round: 1, change: [3]) }
        }
        #expect(try db.recordVote(height: 6, blockHash: SecureRandom.bytes(count: 32), vote: [4]) == [4])
        #expect(try db.recordRoundChange(height: 7, round: 0, change: [5]) == [5])
        // Restored again: the old floor goes, and with it every vote until the new entry commits.
        try db.markRestored(nonce: SecureRandom.bytes(count: 32))
        #expect(throws: StorageError(.restoredNotVoting, "")) { _ = try db.recordVote(height: 8, blockHash: SecureRandom.bytes(count: 32), vote: [6]) }
    }

    /// Shares below their vault's current key epoch are deleted (a restored backup older than a
    /// refresh); the current one, and vaults the state does not name, stay.
    @Test func supersededVaultSharesAreDeleted() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("custos-shares-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let keys = try NodeKeys.create(dataFolder: data, configuration: NodeConfiguration(id: "node-s", environment: .development, sealing: .passphrase),
                                       credential: .passphrase(SecretBytes(Array("test passphrase".utf8))))
        let db = try NodeDatabase.inMemory(seal: keys.seal)
        for (vault, epoch) in [("treasury", UInt64(1)), ("treasury", 2), ("treasury", 3), ("payroll", 1), ("unknown", 1)] {
            try db.storeSecret(SecretBytes(randomCount: 32), kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: vault, epoch: epoch))
        }
        let deleted = try db.deleteSupersededVaultShares(current: ["treasury": 3, "payroll": 1])
        #expect(deleted.map { "\($0.vault)/\($0.epoch)" }.sorted() == ["treasury/1", "treasury/2"])
        #expect(try db.secret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: "treasury", epoch: 2)) == nil)
        #expect(try db.secret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: "treasury", epoch: 3)) != nil)
        #expect(try db.secretIDs(kind: .vaultKeyShare).count == 3)
        #expect(try db.deleteSupersededVaultShares(current: ["treasury": 3, "payroll": 1]).isEmpty)
    }

    /// Two handles on one file race to use the same secrets: each secret is granted exactly once.
    @Test func racingHandlesGrantEachSecretOnce() async throws {
        let path = Self.temporaryPath()
        defer { Self.remove(path) }
        let first = try NodeDatabase(path: path)
        let second = try NodeDatabase(path: path)
        let ids = (0..<50).map { _ in SecureRandom.bytes(count: 32) }
        let purpose = SecureRandom.bytes(count: 32)
        let granted = await withTaskGroup(of: Int.self) { group in
            for db in [first, second] {
                group.addTask {
                    var count = 0
                    for id in ids {
                        // Granted, or refused as used by the other handle: never another failure.
                        do throws(StorageError) {
                            try db.recordUse(of: .presignature, id: id, purpose: purpose)
                            count += 1
                        } catch {
                            #expect(error == StorageError(.alreadyUsed, ""), "\(error)")
                        }
                    }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(granted == ids.count)
    }
}
