import ArgumentParser
import CustosBackup
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import CustosNode
import CustosNodeService
import Foundation

extension NodeCommand {
    /// `custos node backup`: the node's keys and vault shares in a file encrypted under a fresh
    /// random key, and that key split into SLIP-39 mnemonics for custodians.
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an encrypted backup of this node's keys and vault shares, and the SLIP-39 mnemonics that open it.",
            discussion: """
                The file holds the node's identity and transport keys and every vault key share it keeps, with its epoch (never \
                presignatures or FROST nonces: they are used once). It is encrypted (XChaCha20-Poly1305) under a random 256-bit key; \
                the key is split into SLIP-39 mnemonics: --group-threshold of the --groups must join, each with its own threshold \
                of members. The mnemonics are protected by the SLIP-39 passphrase in --backup-passphrase-file: restoring needs \
                it as well as the mnemonics, so keep it with the node's operators, apart from the custodians. Hand each \
                mnemonic to one custodian. A refresh or reshare of a vault makes its share in older backups \
                useless: back up again after one.
                """)

        @Option(help: "The node's data folder.") var data: String
        @Option(help: "The cluster file (JSON, public data): the backup is bound to its genesis digest.") var cluster: String
        @OptionGroup var seal: NodeSealOptions
        @Option(help: "The custodian groups, THRESHOLDofCOUNT separated by commas, e.g. \"2of3,3of5\".") var groups: String
        @Option(help: "How many of the groups must join to open the backup.") var groupThreshold: Int
        @Option(help: "The backup file to write (never replaced).") var out: String
        @Option(help: "Write each custodian's mnemonic to its own file in this folder (group-G-member-M.txt, mode 0600) instead of printing them.")
        var mnemonicsDir: String?
        @Flag(help: "Print the mnemonics (in --json too) instead of writing them with --mnemonics-dir: only on a screen nobody else sees.")
        var printMnemonics = false
        @Option(help: "SLIP-39 iteration exponent: 10000 × 2^E PBKDF2 iterations protect the mnemonics (0 to \(NodeBackup.maximumIterationExponent)).")
        var iterationExponent: Int = 1
        @Option(help: "A file holding the backup passphrase (printable ASCII), the SLIP-39 passphrase: restoring needs it as well as the mnemonics.")
        var backupPassphraseFile: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let backupPassphrase = try readPassphrase(backupPassphraseFile, what: "backup passphrase")
            // The mnemonics open the backup: they go where the operator says, never by default to a terminal or a log.
            guard (mnemonicsDir != nil) != printMnemonics else {
                fail(printMnemonics ? "give --mnemonics-dir or --print-mnemonics, not both"
                     : "give --mnemonics-dir DIR (one file per custodian) or, on a screen nobody else sees, --print-mnemonics")
            }
            guard (0...NodeBackup.maximumIterationExponent).contains(iterationExponent) else {
                fail("--iteration-exponent: 0 to \(NodeBackup.maximumIterationExponent) (a restore refuses more)")
            }
            let layout: [SLIP39.MemberGroup]
            do { layout = try groups.split(separator: ",").map { g throws(BackupError) in try SLIP39.MemberGroup(parsing: String(g).trimmingCharacters(in: .whitespaces)) } } catch {
                fail("--groups: \(error.reason)")
            }
            let clusterConfiguration: ClusterConfiguration
            do { clusterConfiguration = try ClusterFile.load(path: cluster) } catch { fail("\(error)") }
            let (keys, _) = try seal.open(data: data, id: nil)
            let folder = data as NSString
            let votes = folder.appendingPathComponent(NodeCommand.votesFile)
            let chainPath = folder.appendingPathComponent(NodeCommand.chainFile)
            let height = FileManager.default.fileExists(atPath: chainPath)
                ? try NodeChainStore(path: chainPath, readOnly: true).head(clusterConfiguration).height : 0
            // A node that never ran has no database, and no vault share: its keys are backed up alone.
            var database: NodeDatabase?
            if FileManager.default.fileExists(atPath: votes) {
                do { database = try NodeDatabase(path: votes, seal: keys.seal) } catch { fail(error.reason) }
            }
            let key = SecretBytes(randomCount: NodeBackup.keyLength)
            let shares: [[SLIP39Share]]
            let file: [UInt8]
            let backup: NodeBackup
            do {
                shares = try SLIP39.split(key, groupThreshold: groupThreshold, groups: layout, passphrase: backupPassphrase,
                                          iterationExponent: iterationExponent)
                backup = try NodeBackup.take(keys: keys, database: database, genesisDigest: clusterConfiguration.genesisDigest.bytes, height: height)
                file = try backup.sealed(under: key)
            } catch { fail(error.reason) }
            let custodianFiles = mnemonicsDir.map { dir in
                shares.enumerated().flatMap { g, members in
                    members.indices.map { m in (dir as NSString).appendingPathComponent("group-\(g + 1)-member-\(m + 1).txt") }
                }
            }
            for path in custodianFiles ?? [] where FileManager.default.fileExists(atPath: path) { fail("\(path) exists; refusing to replace it") }
            if FileManager.default.fileExists(atPath: out) { fail("\(out) exists; refusing to replace it") }
            // The mnemonics first: a file whose key was never handed out would be a backup nobody can open.
            if let mnemonicsDir, let custodianFiles {
                do {
                    try FileManager.default.createDirectory(atPath: mnemonicsDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                    for (path, share) in zip(custodianFiles, shares.joined()) {
                        try SecretFile.write(path, Array((share.mnemonic + "\n").utf8), replacing: false)
                    }
                } catch { fail("writing the mnemonics into \(mnemonicsDir): \(error)") }
            }
            do { try SecretFile.write(out, file, replacing: false) } catch { fail(error.reason) }
            if json {
                let report = BackupReport(file: out, node: backup.header.node, height: backup.header.height,
                                          shares: backup.header.shares.map { .init(vault: $0.vault, epoch: $0.epoch) }, groupThreshold: groupThreshold,
                                          groups: shares.enumerated().map { g, members in
                                              .init(threshold: layout[g].threshold,
                                                    mnemonics: custodianFiles == nil ? members.map(\.mnemonic) : nil,
                                                    files: custodianFiles.map { Array($0[(shares.prefix(g).map(\.count).reduce(0, +))...].prefix(members.count)) })
                                          })
                try report.print()
                return
            }
            print("backup of node \(backup.header.node) at height \(backup.header.height) written to \(out): identity and transport keys, "
                  + "\(backup.header.shares.count) vault share\(backup.header.shares.count == 1 ? "" : "s")")
            if !backup.header.shares.isEmpty {
                printTable(header: ["VAULT", "EPOCH"], rows: backup.header.shares.map { [printable($0.vault), "\($0.epoch)"] })
            }
            print("opened by \(groupThreshold) of \(layout.count) group\(layout.count == 1 ? "" : "s"), each with its threshold of custodians:")
            var next = (custodianFiles ?? []).makeIterator()
            for (g, members) in shares.enumerated() {
                print("group \(g + 1): \(layout[g].threshold) of \(members.count)")
                for (m, share) in members.enumerated() {
                    print("  \(g + 1).\(m + 1)  " + (custodianFiles == nil ? share.mnemonic : next.next() ?? ""))
                }
            }
        }
    }

    /// `custos node restore`: a node rebuilt from a backup and its custodians' mnemonics, sealed
    /// under a new token or passphrase.
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a node from a backup file and its custodians' SLIP-39 mnemonics into a new data folder.",
            discussion: """
                Give exactly the group threshold of groups, each with exactly its threshold of mnemonics. The keys and vault \
                shares are sealed under the new node's token (--pkcs11-module, --token, --pin-file) or, on a development node, \
                --passphrase-file. Nothing is written unless everything is: too few mnemonics, an altered file, a backup of \
                another cluster, or (with --gateway) a share older than its vault's current key epoch are refused. Then start \
                the node with `custos node run`; it catches up from the gateway, announces its restore in the log \
                (node.restored) and votes only above the height that entry commits at. It signs nothing until \
                `custos node resume --acknowledge-restore`: the backup carries no signing halt or local freeze.
                """)

        @Option(help: "The backup file.") var backup: String
        @Option(parsing: .upToNextOption, help: "Files holding the custodians' mnemonics, one mnemonic per line.") var mnemonics: [String]
        @Option(help: "The new data folder (absent or empty).") var data: String
        @Option(help: "The cluster file (JSON, public data): a backup of another cluster is refused.") var cluster: String
        @Option(help: "The PKCS#11 module (shared library) of the new node's HSM.") var pkcs11Module: String?
        @Option(help: "The label of the PKCS#11 token to seal with.") var token: String?
        @Option(help: "The label of the sealing key on the token (default: custos-<id>); made on the token if missing.") var keyLabel: String?
        @OptionGroup var seal: NodeSealOptions
        @Option(help: "A gateway's base URL: refuse the backup if a vault share in it is older than the vault's current key epoch there.")
        var gateway: String?
        @Option(help: "The file holding the backup passphrase given to `custos node backup`: the mnemonics alone do not open the backup.")
        var backupPassphraseFile: String?
        @Flag(help: "Open a backup an older custos made without a backup passphrase, whose mnemonics alone open it (a warning says so).")
        var legacyEmptyPassphrase = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let backupPassphrase: SecretBytes
            switch (backupPassphraseFile, legacyEmptyPassphrase) {
            case let (path?, false):
                backupPassphrase = try readPassphrase(path, what: "backup passphrase")
            case (nil, true):
                FileHandle.standardError.write(Data(("custos: warning: opening a backup made without a backup passphrase: its mnemonics "
                    + "alone open it; once restored, take a new backup with --backup-passphrase-file and destroy the old one\n").utf8))
                backupPassphrase = SecretBytes([])
            case (nil, false):
                fail("give --backup-passphrase-file (for a backup an older custos made without one: --legacy-empty-passphrase)")
            case (_?, true):
                fail("--backup-passphrase-file and --legacy-empty-passphrase exclude each other")
            }
            if pkcs11Module == nil, token != nil || keyLabel != nil { fail("--token and --key-label need --pkcs11-module") }
            let credential = try seal.credential()
            let clusterConfiguration: ClusterConfiguration
            do { clusterConfiguration = try ClusterFile.load(path: cluster) } catch { fail("\(error)") }
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: backup),
                  let size = attributes[.size] as? Int, size <= NodeBackup.maximumFileSize,
                  let bytes = FileManager.default.contents(atPath: backup) else {
                fail("cannot read \(backup), or it is larger than a backup (\(NodeBackup.maximumFileSize) bytes)")
            }
            let file = Array(bytes)
            var lines: [String] = []
            for path in mnemonics {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
                lines += text.split(whereSeparator: \.isNewline).map(Self.mnemonic).filter { !$0.isEmpty }
            }
            let header: NodeBackup.Header
            do { header = try NodeBackup.header(of: file) } catch { fail("\(backup): \(error.reason)") }
            guard header.genesisDigest == clusterConfiguration.genesisDigest.bytes else {
                fail("\(backup) is a backup of node \(printable(header.node)) of another cluster than \(cluster) (genesis \(header.genesisDigest.hexString))")
            }
            let nodeID: NodeID
            do { nodeID = try NodeID(header.node) } catch { fail("the backup names an invalid node id: \(error.reason)") }
            var current: [String: UInt64]?
            if let gateway {
                let vaults: [VaultView] = try await GatewayCall(gateway).get("/v1/vaults")
                current = Dictionary(vaults.map { ($0.id, UInt64($0.keyEpoch)) }, uniquingKeysWith: max)
            }
            let restored: NodeKeys
            do {
                let key = try SLIP39.combine(lines, passphrase: backupPassphrase, maximumIterationExponent: NodeBackup.maximumIterationExponent)
                let opened = try NodeBackup.open(file, key: key)
                restored = try opened.restore(
                    dataFolder: data, sealing: NodeCommand.sealing(node: nodeID, token: pkcs11Module.map { (module: $0, token: token, keyLabel: keyLabel) },
                                                                   credential: credential),
                    credential: credential, databaseFile: NodeCommand.votesFile, genesisDigest: clusterConfiguration.genesisDigest.bytes,
                    currentEpochs: current, memberKey: clusterConfiguration.member(nodeID)?.publicKeyBytes)
            } catch { fail(error.reason) }
            if json {
                let report = BackupReport(file: backup, node: header.node, height: header.height,
                                          shares: header.shares.map { .init(vault: $0.vault, epoch: $0.epoch) }, groupThreshold: nil, groups: nil)
                try report.print()
                return
            }
            print("restored node \(printable(header.node)) into \(data), sealed in \(restored.configuration.sealing.summary); "
                  + "backup taken at height \(header.height)")
            if !header.shares.isEmpty {
                printTable(header: ["VAULT", "EPOCH"], rows: header.shares.map { [printable($0.vault), "\($0.epoch)"] })
            }
            print("it votes again once its node.restored entry has committed (above that height only), and signs once you have checked "
                  + "that no signing halt or local freeze was in force on the original: custos node resume --data \(data) --acknowledge-restore")
            if gateway == nil {
                print("not checked against the vaults' current key epochs (no --gateway): a vault refreshed or reshared since height "
                      + "\(header.height) has moved past its share here, which cannot sign; see `custos vault show`")
            }
        }

        /// A mnemonic line as `custos node backup` prints it ("1.2  word word …") or as a file holds it.
        static func mnemonic(_ line: Substring) -> String {
            var words = line.split(whereSeparator: \.isWhitespace)
            if let first = words.first, first.allSatisfy({ $0.isNumber || $0 == "." }) { words.removeFirst() }
            return words.joined(separator: " ")
        }
    }
}

/// What `custos node backup --json` and `custos node restore --json` print.
struct BackupReport: Encodable {
    struct Share: Encodable {
        var vault: String
        var epoch: UInt64
    }
    struct Group: Encodable {
        var threshold: Int
        /// The mnemonics, when they were not written to files.
        var mnemonics: [String]?
        var files: [String]?
    }
    var file: String
    var node: String
    var height: UInt64
    var shares: [Share]
    var groupThreshold: Int?
    var groups: [Group]?

    /// Prints the report as JSON, keys sorted.
    func print() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        Swift.print(String(decoding: try encoder.encode(self), as: UTF8.self))
    }
}
