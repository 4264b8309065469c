import Crypto
import CustosCore
import CustosCrypto
import CustosNode
import Foundation

extension NodeBackup {
    /// Takes a backup of an opened node: its identity and transport keys from `keys`, and every
    /// vault key share sealed in `database`, each with its vault and epoch. `genesisDigest`
    /// names the node's cluster; `height` is its committed height (0 without a chain). A node
    /// that never ran has no database (nil): its backup holds its keys only.
    public static func take(keys: NodeKeys, database: NodeDatabase?, genesisDigest: [UInt8], height: UInt64) throws(BackupError) -> NodeBackup {
        var shares: [Share] = []
        var values: [SecretBytes] = []
        do {
            for id in try database?.secretIDs(kind: .vaultKeyShare) ?? [] {
                var r = CanonicalReader<BackupErrorCode>(id, what: "vault share id")
                let share = Share(vault: try r.string("vault", max: Header.maximumName), epoch: try r.uint64("epoch"))
                try r.finish()
                // Deleted since it was listed (a refresh retired it): nothing to keep.
                guard let value = try database?.secret(kind: .vaultKeyShare, id: id) else { continue }
                shares.append(share)
                values.append(value)
            }
        } catch let error as StorageError {
            throw BackupError(.nodeStorage, "reading node \(keys.configuration.id)'s vault shares: \(error.reason)")
        } catch let error as BackupError {
            throw error
        } catch {
            throw BackupError(.nodeStorage, "reading node \(keys.configuration.id)'s vault shares failed")
        }
        let header = Header(node: keys.configuration.id, environment: keys.environment, genesisDigest: genesisDigest, height: height, shares: shares)
        return NodeBackup(header: header, identityKey: SecretBytes(keys.signingKey.rawRepresentation),
                          transportKey: SecretBytes(keys.transportKey.rawRepresentation), vaultShares: values)
    }

    /// Restores the node into `dataFolder` (absent, or an empty folder): its `node.json` with
    /// the new `sealing`, its identity and transport keys sealed under the new seal opened with
    /// `credential`, and its vault shares sealed into a new node database `databaseFile` there,
    /// marked restored (it votes again only once its `node.restored` entry commits) and halted
    /// (it signs again once an operator acknowledges the restore).
    /// Everything is made in a staging folder next to it and moved into place only when all of
    /// it is written, so a refusal (a wrong PIN, a production node given a passphrase) leaves
    /// nothing behind. Refused before anything is written: a backup of another cluster than
    /// `genesisDigest` names, and — when the vaults' current key epochs are known
    /// (`currentEpochs`, vault id → epoch) — a backup whose share of a vault is older than its
    /// current epoch, which cannot sign; and, when the cluster names the node's identity key
    /// (`memberKey`, its Ed25519 public key), a backup whose identity key is another. Returns the restored node's keys, opened again from
    /// their new place.
    public func restore(dataFolder: String, sealing: NodeConfiguration.Sealing, credential: NodeSeal.Credential,
                        databaseFile: String, genesisDigest: [UInt8], currentEpochs: [String: UInt64]?,
                        memberKey: [UInt8]? = nil) throws(BackupError) -> NodeKeys {
        guard header.genesisDigest == genesisDigest else {
            throw BackupError(.wrongCluster, "the backup of node \(header.node) is of the cluster with genesis digest \(header.genesisDigest.hexString), not \(genesisDigest.hexString)")
        }
        if let memberKey {
            let key = identityKey.withUnsafeBytes { try? Curve25519.Signing.PrivateKey(rawRepresentation: $0) }
            guard let key, Array(key.publicKey.rawRepresentation) == memberKey else {
                throw BackupError(.wrongMember, "the backup's identity key is not the one the cluster knows for node \(header.node): "
                                  + "a backup of another member, or of a node re-keyed since")
            }
        }
        if let currentEpochs {
            let stale = header.staleShares(currentEpochs: currentEpochs)
            guard stale.isEmpty else {
                let list = stale.map { "vault \($0.share.vault) (backup epoch \($0.share.epoch), current \($0.currentEpoch))" }.joined(separator: ", ")
                throw BackupError(.staleShare,
                                  "the backup predates a refresh or reshare of \(list): its shares cannot sign; restore a newer backup, or rebuild the node by a reshare")
            }
        }
        let files = FileManager.default
        var isFolder: ObjCBool = false
        let exists = files.fileExists(atPath: dataFolder, isDirectory: &isFolder)
        if exists {
            let empty = isFolder.boolValue && ((try? files.contentsOfDirectory(atPath: dataFolder))?.isEmpty ?? false)
            guard empty else { throw BackupError(.destinationExists, "\(dataFolder) exists and is not an empty folder; restore into a new one") }
        }
        let staging = dataFolder + ".restoring-" + SecureRandom.bytes(count: 6).hexString
        do {
            let configuration = try NodeConfiguration(id: header.node, environment: header.environment, sealing: sealing)
            let keys = try NodeKeys.create(dataFolder: staging, configuration: configuration, credential: credential,
                                           restoring: (identityKey, transportKey))
            try Self.store(vaultShares, as: header.shares, in: (staging as NSString).appendingPathComponent(databaseFile), seal: keys.seal,
                           takenAt: header.height)
            if exists { try files.removeItem(atPath: dataFolder) }
            try files.moveItem(atPath: staging, toPath: dataFolder)
        } catch {
            try? files.removeItem(atPath: staging)
            switch error {
            case let error as BackupError: throw error
            case let error as StorageError: throw BackupError(.nodeStorage, "restoring node \(header.node): \(error.reason)")
            default: throw BackupError(.nodeStorage, "restoring node \(header.node) into \(dataFolder): \(error.localizedDescription)")
            }
        }
        do { return try NodeKeys.open(dataFolder: dataFolder, credential: credential) } catch {
            throw BackupError(.nodeStorage, "the restored node \(header.node) does not open: \(error.reason)")
        }
    }

    /// Seals the shares into a new node database, marked restored with a fresh random nonce
    /// (`NodeDatabase.markRestored`): the backup carries no record of the votes the original
    /// cast, so the restored node votes only above the height its `node.restored` entry commits
    /// at. It starts with signing halted (`SigningHaltRecord.Cause.restored`): the backup carries
    /// neither the halts nor the local freezes of the original, so an operator says none was in
    /// force before it releases key material again. The database is closed when this returns.
    private static func store(_ values: [SecretBytes], as shares: [Share], in path: String, seal: NodeSeal, takenAt height: UInt64) throws(StorageError) {
        let database = try NodeDatabase(path: path, seal: seal)
        for (share, value) in zip(shares, values) {
            try database.storeSecret(value, kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: share.vault, epoch: share.epoch))
        }
        try database.markRestored(nonce: SecureRandom.bytes(count: 32))
        try database.record(halt: SigningHaltRecord(
            cause: .restored, height: 0, since: UInt64(max(0, Date().timeIntervalSince1970 * 1000)),
            reason: "restored from a backup taken at height \(height), which carries neither signing halts nor local freezes: "
                + "once you know none was in force on the original, run `custos node resume --acknowledge-restore`",
            evidence: []))
    }
}
