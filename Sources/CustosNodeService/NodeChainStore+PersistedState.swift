import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import CustosNode
import CustosState
import Foundation
import GRDB

extension NodeChainStore {
    /// The height of the stored persisted state, nil when none is stored.
    public func persistedStateHeight() throws -> UInt64? {
        try writer.read { db in try Int64.fetchOne(db, sql: "SELECT height FROM persistedState WHERE id = 1").map { UInt64($0) } }
    }

    /// The stored persisted state as stored, unverified; nil when none is.
    func storedPersistedState() throws -> PersistedState? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT height, blockHash, stateDigest, encoded FROM persistedState WHERE id = 1")
            else { return nil }
            let height: Int64 = row["height"]
            let hash: Data = row["blockHash"]
            let digest: Data = row["stateDigest"]
            let encoded: Data = row["encoded"]
            return PersistedState(height: UInt64(height), blockHash: Array(hash), stateDigest: Array(digest), encoded: Array(encoded))
        }
    }

    /// Stores `persisted` in place of the stored one, vouched for by `database`'s seal: its
    /// binding is sealed first, then the row replaced, then the bindings of other heights
    /// deleted, so a crash at any point leaves the stored row with its binding. The state must
    /// be after a block this store committed, with the digest recorded there.
    public func persist(_ persisted: PersistedState, sealedBy database: NodeDatabase) throws {
        guard let recorded = try writer.read({ db in
            try Data.fetchOne(db, sql: "SELECT digest FROM stateDigest WHERE height = ?", arguments: [Int64(persisted.height)])
        }), Array(recorded) == persisted.stateDigest else {
            throw PersistedStateError(.snapshotRefused, "the state at height \(persisted.height) is not the one this node committed there")
        }
        let id = Self.bindingID(persisted.height)
        if try database.secret(kind: .persistedState, id: id) != nil { try database.deleteSecret(kind: .persistedState, id: id) }
        try database.storeSecret(SecretBytes(persisted.binding), kind: .persistedState, id: id)
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO persistedState (id, height, blockHash, stateDigest, encoded) VALUES (1, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET height = excluded.height, blockHash = excluded.blockHash,
                    stateDigest = excluded.stateDigest, encoded = excluded.encoded
                """, arguments: [Int64(persisted.height), Data(persisted.blockHash), Data(persisted.stateDigest), Data(persisted.encoded)])
        }
        for other in try database.secretIDs(kind: .persistedState) where other != id {
            try database.deleteSecret(kind: .persistedState, id: other)
        }
    }

    /// The stored persisted state if `database`'s seal vouches for it, nil when none is stored;
    /// `snapshotUnsealed` when the seal does not (altered in the store, or never sealed here).
    public func verifiedPersistedState(sealedBy database: NodeDatabase) throws -> PersistedState? {
        guard let stored = try storedPersistedState() else { return nil }
        guard let sealed = try database.secret(kind: .persistedState, id: Self.bindingID(stored.height)),
              sealed.constantTimeEquals(SecretBytes(stored.binding))
        else {
            throw PersistedStateError(.snapshotUnsealed, "the persisted state at height \(stored.height) is not the one this node's seal vouches for")
        }
        return stored
    }

    static func bindingID(_ height: UInt64) -> [UInt8] { withUnsafeBytes(of: height.bigEndian) { Array($0) } }
}
