import CustosCore
import CustosCrypto
import Foundation
import GRDB

extension NodeDatabase {
    /// What kind of secret a sealed row holds.
    public enum SecretKind: String, Sendable, CaseIterable {
        /// A vault key share; its id is `vaultShareID(vault:epoch:)`.
        case vaultKeyShare
        /// An ECDSA presignature.
        case presignature
        /// A FROST round-one nonce pair.
        case frostNonce
        /// This node's FROST signature share for an attempt of a vault with an offline share,
        /// kept until the attempt ends so that a restart sends it again: its nonce is spent, and
        /// the attempt cost people a trip to the offline signer. Sending the same share over the
        /// same package again reveals nothing new.
        case signatureShare
        /// Not a secret: the binding of the state snapshot the node restarts from
        /// (`PersistedState.binding`), sealed so that the node's seal vouches for the snapshot
        /// stored beside its chain; its id is the snapshot's height (8 bytes, big-endian).
        case persistedState
    }

    /// The id of a vault's key share at a key epoch (each refresh or reshare is a new epoch).
    public static func vaultShareID(vault: String, epoch: UInt64) -> [UInt8] {
        var w = CanonicalWriter()
        w.append(string: vault)
        w.append(epoch)
        return w.bytes
    }

    /// Deletes every stored vault key share of an epoch below its vault's current key epoch in
    /// `current` (vault id → epoch): a share a refresh or reshare superseded, kept by a node that
    /// was down meanwhile or brought back by a restore, never signs or deals again. Vaults absent
    /// from `current` are left alone. Answers the (vault, epoch) pairs deleted.
    @discardableResult
    public func deleteSupersededVaultShares(current: [String: UInt64]) throws(StorageError) -> [(vault: String, epoch: UInt64)] {
        var deleted: [(vault: String, epoch: UInt64)] = []
        for id in try secretIDs(kind: .vaultKeyShare) {
            var r = CanonicalReader<StorageErrorCode>(id, what: "vault share id")
            guard let vault = try? r.string("vault", max: 256), let epoch = try? r.uint64("epoch"), (try? r.finish()) != nil,
                  let now = current[vault], epoch < now else { continue }
            if try deleteSecret(kind: .vaultKeyShare, id: id) { deleted.append((vault, epoch)) }
        }
        return deleted
    }

    /// Seals `secret` with the node's seal, bound to (`kind`, `id`), and stores it in one
    /// durable transaction. Refuses (`alreadyExists`) to replace a stored secret: delete it first.
    public func storeSecret(_ secret: SecretBytes, kind: SecretKind, id: [UInt8]) throws(StorageError) {
        let sealed = try requireSeal().seal(secret, context: Self.secretContext(kind, id))
        try write { db throws(StorageError) in
            let existing = try Self.run {
                try Row.fetchOne(db, sql: "SELECT 1 FROM sealedSecret WHERE kind = ? AND id = ?", arguments: [kind.rawValue, Data(id)])
            }
            guard existing == nil else { throw StorageError(.alreadyExists, "a \(kind.rawValue) with this id is already stored") }
            try Self.run {
                try db.execute(sql: "INSERT INTO sealedSecret (kind, id, sealed) VALUES (?, ?, ?)",
                               arguments: [kind.rawValue, Data(id), Data(sealed)])
            }
        }
    }

    /// The secret stored as (`kind`, `id`), opened; nil when there is none. Refuses a row that
    /// does not open under this node's seal as that (`kind`, `id`): altered, or moved from another row.
    public func secret(kind: SecretKind, id: [UInt8]) throws(StorageError) -> SecretBytes? {
        let seal = try requireSeal()
        let sealed: Data? = try read("reading a sealed secret") { db in
            try Data.fetchOne(db, sql: "SELECT sealed FROM sealedSecret WHERE kind = ? AND id = ?", arguments: [kind.rawValue, Data(id)])
        }
        guard let sealed else { return nil }
        return try seal.open(Array(sealed), context: Self.secretContext(kind, id))
    }

    /// Deletes the secret stored as (`kind`, `id`), durably; returns whether there was one.
    @discardableResult
    public func deleteSecret(kind: SecretKind, id: [UInt8]) throws(StorageError) -> Bool {
        try write { db throws(StorageError) -> Bool in
            try Self.run {
                try db.execute(sql: "DELETE FROM sealedSecret WHERE kind = ? AND id = ?", arguments: [kind.rawValue, Data(id)])
                return db.changesCount > 0
            }
        }
    }

    /// The ids of the stored secrets of `kind`, in byte order.
    public func secretIDs(kind: SecretKind) throws(StorageError) -> [[UInt8]] {
        try read("listing sealed secrets") { db in
            try Data.fetchAll(db, sql: "SELECT id FROM sealedSecret WHERE kind = ? ORDER BY id", arguments: [kind.rawValue]).map { Array($0) }
        }
    }

    private func requireSeal() throws(StorageError) -> NodeSeal {
        guard let seal else { throw StorageError(.misconfigured, "this node database was opened without a seal; it stores no secrets") }
        return seal
    }

    private static func secretContext(_ kind: SecretKind, _ id: [UInt8]) -> [UInt8] {
        var w = CanonicalWriter()
        w.append(string: "custos.node.secret.v1")
        w.append(string: kind.rawValue)
        w.append(lengthPrefixed: id)
        return w.bytes
    }
}
