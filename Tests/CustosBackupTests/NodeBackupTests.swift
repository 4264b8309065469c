import Crypto
import CustosBackup
import CustosCore
import CustosCrypto
import CustosNode
import CustosTestSupport
import Foundation
import Testing

/// Node backups without a cluster: a development node's keys and vault shares backed up under a
/// key split into SLIP-39 mnemonics, restored under a new passphrase or a SoftHSM2 token, and
/// the refusals — too few mnemonics, an altered file, another cluster, a stale epoch, an
/// occupied folder — each leaving nothing behind.
@Suite(.serialized) struct NodeBackupTests {
    static let passphrase = NodeSeal.Credential.passphrase(SecretBytes(Array("old node passphrase".utf8)))
    static let newPassphrase = NodeSeal.Credential.passphrase(SecretBytes(Array("new node passphrase".utf8)))
    static let genesis = Array(repeating: UInt8(0xA5), count: 32)
    static let database = "votes.sqlite"

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("custos-backup-\(UUID().uuidString)").path
    }

    /// A development node holding two shares of "treasury" (epochs 1 and 2), one of "payroll",
    /// and a FROST nonce that a backup must never carry.
    struct Original {
        let data: String
        let keys: NodeKeys
        let shares: [String: SecretBytes]
    }

    static func node() throws -> Original {
        let data = folder()
        let keys = try NodeKeys.create(dataFolder: data, configuration: NodeConfiguration(id: "node-b", environment: .development, sealing: .passphrase),
                                       credential: passphrase)
        let database = try NodeDatabase(path: data + "/" + Self.database, seal: keys.seal)
        var shares: [String: SecretBytes] = [:]
        for (vault, epoch) in [("treasury", UInt64(1)), ("treasury", 2), ("payroll", 1)] {
            let share = SecretBytes(randomCount: 32)
            try database.storeSecret(share, kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: vault, epoch: epoch))
            shares["\(vault)/\(epoch)"] = share
        }
        try database.storeSecret(SecretBytes(randomCount: 64), kind: .frostNonce, id: Array("nonce-1".utf8))
        return Original(data: data, keys: keys, shares: shares)
    }

    /// A backup file of `node()` and its mnemonics, 2 of 3 and 3 of 5, both groups needed.
    static func backup() throws -> (file: [UInt8], mnemonics: [[String]], original: Original) {
        let original = try node()
        let database = try NodeDatabase(path: original.data + "/" + Self.database, seal: original.keys.seal)
        let backup = try NodeBackup.take(keys: original.keys, database: database, genesisDigest: genesis, height: 42)
        let key = SecretBytes(randomCount: NodeBackup.keyLength)
        let mnemonics = try SLIP39.split(key, groupThreshold: 2, groups: [SLIP39.MemberGroup(threshold: 2, count: 3), SLIP39.MemberGroup(threshold: 3, count: 5)],
                                         iterationExponent: 0)
        return (try backup.sealed(under: key), mnemonics.map { $0.map(\.mnemonic) }, original)
    }

    static func enough(_ mnemonics: [[String]]) -> [String] { [mnemonics[0][2], mnemonics[0][0], mnemonics[1][1], mnemonics[1][3], mnemonics[1][4]] }

    @Test func aBackupRestoresUnderANewPassphrase() throws {
        let (file, mnemonics, original) = try Self.backup()
        let header = try NodeBackup.header(of: file)
        #expect(header.node == "node-b")
        #expect(header.environment == .development)
        #expect(header.height == 42)
        #expect(Set(header.shares) == [NodeBackup.Share(vault: "treasury", epoch: 1), NodeBackup.Share(vault: "treasury", epoch: 2),
                                       NodeBackup.Share(vault: "payroll", epoch: 1)])
        // No secret byte is in the file in the clear.
        for share in original.shares.values { #expect(!file.contains(subsequence: share.unsafeCopyBytes())) }
        #expect(!file.contains(subsequence: Array(original.keys.signingKey.rawRepresentation)))

        let key = try SLIP39.combine(Self.enough(mnemonics))
        let backup = try NodeBackup.open(file, key: key)
        #expect(!backup.description.contains(original.keys.signingKey.rawRepresentation.hexString))
        let data = Self.folder()
        let restored = try backup.restore(dataFolder: data, sealing: .passphrase, credential: Self.newPassphrase, databaseFile: Self.database,
                                          genesisDigest: Self.genesis, currentEpochs: ["treasury": 2, "payroll": 1])
        #expect(restored.configuration.id == "node-b")
        #expect(restored.signingKey.publicKey.rawRepresentation == original.keys.signingKey.publicKey.rawRepresentation)
        #expect(restored.transportKey.publicKey.rawRepresentation == original.keys.transportKey.publicKey.rawRepresentation)
        // Sealed under the new passphrase only.
        #expect(throws: StorageError.self) { try NodeKeys.open(dataFolder: data, credential: Self.passphrase) }
        let database = try NodeDatabase(path: data + "/" + Self.database, seal: restored.seal)
        for (name, share) in original.shares {
            let parts = name.split(separator: "/")
            let stored = try database.secret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: String(parts[0]), epoch: UInt64(parts[1])!))
            #expect(try #require(stored).constantTimeEquals(share), "\(name)")
        }
        // It votes again only once its node.restored entry commits, with a nonce of its own.
        let restoration = try #require(try database.restoration())
        #expect(restoration.floor == nil && restoration.nonce.count == 32)
        // It signs nothing until an operator says no halt or freeze was in force (the backup carries neither).
        #expect(try database.signingHalts().map(\.cause) == [.restored])
        // The one-time secrets stay behind.
        #expect(try database.secretIDs(kind: .frostNonce).isEmpty)
        #expect(try database.secretIDs(kind: .presignature).isEmpty)
        // No staging folder is left next to it.
        let parent = (data as NSString).deletingLastPathComponent
        let name = (data as NSString).lastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0.hasPrefix(name + ".restoring") }.isEmpty)
    }

    /// The mnemonics alone do not open a backup whose key was split under a backup passphrase:
    /// without it, or with another one, the restore is refused naming the passphrase and
    /// nothing is written; with it, the node restores.
    @Test func theMnemonicsWithoutTheBackupPassphraseRestoreNothing() throws {
        let original = try Self.node()
        let database = try NodeDatabase(path: original.data + "/" + Self.database, seal: original.keys.seal)
        let key = SecretBytes(randomCount: NodeBackup.keyLength)
        let passphrase = SecretBytes(Array("held by the node's operators".utf8))
        let mnemonics = try SLIP39.split(key, groupThreshold: 1, groups: [SLIP39.MemberGroup(threshold: 2, count: 3)], passphrase: passphrase,
                                         iterationExponent: 0).map { $0.map(\.mnemonic) }
        let file = try NodeBackup.take(keys: original.keys, database: database, genesisDigest: Self.genesis, height: 7).sealed(under: key)
        let data = Self.folder()
        for wrong in [SecretBytes([]), SecretBytes(Array("held by the node's operator".utf8))] {
            let error = #expect(throws: BackupError(.undecryptable, "")) { try NodeBackup.open(file, key: try SLIP39.combine([mnemonics[0][0], mnemonics[0][2]], passphrase: wrong)) }
            #expect(error?.reason.contains("passphrase") == true, "\(String(describing: error))")
            #expect(!FileManager.default.fileExists(atPath: data))
        }
        let opened = try NodeBackup.open(file, key: try SLIP39.combine([mnemonics[0][2], mnemonics[0][1]], passphrase: passphrase,
                                                                        maximumIterationExponent: NodeBackup.maximumIterationExponent))
        // Mnemonics asking for more work than accepted are refused before any of it is done
        // (shown one step above a bound of 0, so the test itself does little work).
        let costly = try SLIP39.split(key, groupThreshold: 1, groups: [SLIP39.MemberGroup(threshold: 1, count: 1)], passphrase: passphrase,
                                      iterationExponent: 1).map { $0.map(\.mnemonic) }
        #expect(throws: BackupError(.invalidParameters, "")) { try SLIP39.combine(costly[0], passphrase: passphrase, maximumIterationExponent: 0) }
        #expect(NodeBackup.maximumIterationExponent < SLIP39.maximumIterationExponent)
        // Another member's key where the cluster names this node: refused, nothing written.
        #expect(throws: BackupError(.wrongMember, "")) {
            try opened.restore(dataFolder: data, sealing: .passphrase, credential: Self.newPassphrase, databaseFile: Self.database,
                               genesisDigest: Self.genesis, currentEpochs: nil,
                               memberKey: Array(Curve25519.Signing.PrivateKey().publicKey.rawRepresentation))
        }
        #expect(!FileManager.default.fileExists(atPath: data))
        let restored = try opened.restore(dataFolder: data, sealing: .passphrase, credential: Self.newPassphrase, databaseFile: Self.database,
                                          genesisDigest: Self.genesis, currentEpochs: nil,
                                          memberKey: Array(original.keys.signingKey.publicKey.rawRepresentation))
        #expect(restored.signingKey.publicKey.rawRepresentation == original.keys.signingKey.publicKey.rawRepresentation)
    }

    @Test func aBackupRestoresIntoASoftHSMToken() throws {
        let token = try SoftHSM.token("custos-backup")
        let (file, mnemonics, original) = try Self.backup()
        let backup = try NodeBackup.open(file, key: try SLIP39.combine(Self.enough(mnemonics)))
        let data = Self.folder()
        let pin = NodeSeal.Credential.pin(SecretBytes(Array(SoftHSM.pin.utf8)))
        let restored = try backup.restore(dataFolder: data, sealing: .pkcs11(module: SoftHSM.module, token: token, keyLabel: "custos-node-b"),
                                          credential: pin, databaseFile: Self.database, genesisDigest: Self.genesis, currentEpochs: nil)
        #expect(restored.configuration.sealing.method == .pkcs11)
        #expect(restored.signingKey.publicKey.rawRepresentation == original.keys.signingKey.publicKey.rawRepresentation)
        let database = try NodeDatabase(path: data + "/" + Self.database, seal: restored.seal)
        let stored = try database.secret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: "payroll", epoch: 1))
        #expect(try #require(stored).constantTimeEquals(try #require(original.shares["payroll/1"])))
    }

    @Test func tooFewMnemonicsRestoreNothing() throws {
        let (_, mnemonics, _) = try Self.backup()
        // Both groups are needed: all of group 2 without group 1, and group 1 with two of group 2's three.
        #expect(throws: BackupError(.groupThresholdNotMet, "")) { try SLIP39.combine(mnemonics[1]) }
        #expect(throws: BackupError(.memberThresholdNotMet, "")) {
            try SLIP39.combine([mnemonics[0][0], mnemonics[0][1], mnemonics[1][0], mnemonics[1][1]])
        }
    }

    @Test func anAlteredFileOrAnotherBackupsMnemonicsAreRefused() throws {
        let (file, mnemonics, _) = try Self.backup()
        let key = try SLIP39.combine(Self.enough(mnemonics))
        // Every byte, so every region: the magic, the header (the node id, a share's epoch), the nonce, the ciphertext, the tag.
        let header = try NodeBackup.header(of: file)
        for position in file.indices {
            var altered = file
            altered[position] ^= 0x01
            #expect(throws: BackupError.self, "byte \(position)") { try NodeBackup.open(altered, key: key) }
        }
        var renamed = file
        let nodeOffset = try #require(renamed.firstRange(of: Array("node-b".utf8)))
        renamed[nodeOffset.upperBound - 1] = UInt8(ascii: "c")
        #expect(try NodeBackup.header(of: renamed).node == "node-c")
        #expect(throws: BackupError(.undecryptable, "")) { try NodeBackup.open(renamed, key: key) }
        #expect(throws: BackupError(.undecryptable, "")) { try NodeBackup.open(file, key: SecretBytes(randomCount: 32)) }
        #expect(throws: BackupError.self) { try NodeBackup.open(Array(file.prefix(file.count - 17)), key: key) }
        #expect(throws: BackupError(.malformedEncoding, "")) { try NodeBackup.open(Array("not a backup".utf8), key: key) }
        let other = try Self.backup()
        #expect(throws: BackupError(.undecryptable, "")) { try NodeBackup.open(file, key: try SLIP39.combine(Self.enough(other.mnemonics))) }
        #expect(header.shares.count == 3)
    }

    /// Headers an attacker would write: an unknown format version, a share listed twice, a share
    /// count far above the limit (refused before anything is allocated), trailing bytes, and
    /// a header length past the end of the file.
    @Test func hostileHeadersAreRefused() throws {
        func file(version: UInt16 = 1, shares: [(String, UInt64)] = [("treasury", 1)], count: Int? = nil, trailing: [UInt8] = [],
                  headerLength: Int? = nil) -> [UInt8] {
            var header = CanonicalWriter()
            header.append(version)
            header.append(string: "node-b")
            header.append(string: "development")
            header.append(lengthPrefixed: Self.genesis)
            header.append(UInt64(7))
            header.append(count: count ?? shares.count)
            for (vault, epoch) in shares {
                header.append(string: vault)
                header.append(epoch)
            }
            header.append(raw: trailing)
            var w = CanonicalWriter()
            w.append(raw: Array("CUSTOS-NODE-BACKUP".utf8))
            w.append(UInt32(headerLength ?? header.bytes.count))
            w.append(raw: header.bytes)
            w.append(raw: [UInt8](repeating: 0, count: 24 + 16))
            return w.bytes
        }
        #expect(try NodeBackup.header(of: file()).shares == [NodeBackup.Share(vault: "treasury", epoch: 1)])
        #expect(throws: BackupError(.malformedEncoding, "")) { try NodeBackup.header(of: file(version: 2)) }
        #expect(throws: BackupError(.malformedEncoding, "")) { try NodeBackup.header(of: file(shares: [("treasury", 1), ("treasury", 1)])) }
        #expect(throws: BackupError(.encodingLimitExceeded, "")) { try NodeBackup.header(of: file(count: 1 << 30)) }
        #expect(throws: BackupError(.malformedEncoding, "")) { try NodeBackup.header(of: file(trailing: [0])) }
        #expect(throws: BackupError.self) { try NodeBackup.header(of: file(headerLength: 1 << 19)) }
        #expect(throws: BackupError(.encodingLimitExceeded, "")) { try NodeBackup.header(of: [UInt8](repeating: 0, count: NodeBackup.maximumFileSize + 1)) }
        // A well-formed header over a ciphertext no key opens.
        #expect(throws: BackupError(.undecryptable, "")) { try NodeBackup.open(file(), key: SecretBytes(randomCount: NodeBackup.keyLength)) }
    }

    @Test func anotherClusterAStaleEpochOrAnOccupiedFolderWriteNothing() throws {
        let (file, mnemonics, _) = try Self.backup()
        let backup = try NodeBackup.open(file, key: try SLIP39.combine(Self.enough(mnemonics)))
        let data = Self.folder()
        #expect(throws: BackupError(.wrongCluster, "")) {
            try backup.restore(dataFolder: data, sealing: .passphrase, credential: Self.newPassphrase, databaseFile: Self.database,
                               genesisDigest: Array(repeating: 0x5A, count: 32), currentEpochs: nil)
        }
        #expect(!FileManager.default.fileExists(atPath: data))
        // "treasury" was reshared to epoch 3 after the backup: its epoch-2 share cannot sign.
        do {
            _ = try backup.restore(dataFolder: data, sealing: .passphrase, credential: Self.newPassphrase, databaseFile: Self.database,
                                   genesisDigest: Self.genesis, currentEpochs: ["treasury": 3, "payroll": 1])
            Issue.record("a stale backup was restored")
        } catch {
            #expect(error.code == .staleShare)
            #expect(error.reason.contains("vault treasury (backup epoch 2, current 3)"))
            #expect(!error.reason.contains("payroll"))
        }
        #expect(!FileManager.default.fileExists(atPath: data))
        #expect(backup.header.staleShares(currentEpochs: ["treasury": 2, "payroll": 1, "other": 9]).isEmpty)
        // A token that cannot be opened fails midway (the staging folder is made): nothing is left.
        #expect(throws: BackupError(.nodeStorage, "")) {
            try backup.restore(dataFolder: data, sealing: .pkcs11(module: "/nonexistent/p11.so", token: "none", keyLabel: "custos-node-b"),
                               credential: .pin(SecretBytes(Array("1234".utf8))), databaseFile: Self.database,
                               genesisDigest: Self.genesis, currentEpochs: nil)
        }
        #expect(!FileManager.default.fileExists(atPath: data))
        let parent = (data as NSString).deletingLastPathComponent
        let name = (data as NSString).lastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0.hasPrefix(name) }.isEmpty)
        // An occupied folder is never written into.
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: data + "/node.json"))
        #expect(throws: BackupError(.destinationExists, "")) {
            try backup.restore(dataFolder: data, sealing: .passphrase, credential: Self.newPassphrase, databaseFile: Self.database,
                               genesisDigest: Self.genesis, currentEpochs: nil)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: data) == ["node.json"])
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool { firstRange(of: subsequence) != nil }
}
