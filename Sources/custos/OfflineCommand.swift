import ArgumentParser
import CustosCore
import CustosCrypto
import CustosLedger
import CustosOffline
import CustosPolicy
import CustosState
import Foundation

/// `custos offline`: the air-gapped signer (#15 item 3), run on a machine that never connects.
/// It is set up once with the cluster's `cluster.json`, enrols in FROST vaults before their key
/// generation (its enrolment travels in the create-vault operation), and answers signing bundles
/// carried to it as QR images, after checking them against the cluster it trusts and showing the
/// person at the machine what it signs.
struct OfflineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offline", abstract: "The air-gapped signer: set up, enrol in a vault, show, sign a bundle from QR images.",
        discussion: "The online side exports bundles with `custos vault offline-bundle` and submits answers with `custos vault offline-answer`; after a membership change, `custos offline update-cluster` follows it.",
        subcommands: [Init.self, Enrol.self, Show.self, Sign.self, UpdateCluster.self])

    struct Directory: ParsableArguments {
        @Option(help: "The offline signer's directory.") var dir: String
        @Option(help: "A file holding the passphrase that seals the signer's keys (trailing newline ignored); without it the passphrase is asked at the terminal, echo off.")
        var passphraseFile: String?

        var url: URL { URL(fileURLWithPath: dir) }

        /// From `--passphrase-file`, else typed at the terminal (`confirming`: twice, matching).
        func passphrase(confirming: Bool = false) throws -> SecretBytes {
            guard let passphraseFile else { return TerminalPassphrase.read(twice: confirming) }
            return try readPassphrase(passphraseFile)
        }

        func store() -> OfflineSignerStore {
            do { return try OfflineSignerStore(directory: url) } catch { fail(error.reason) }
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set an offline signer up: trust the cluster in cluster.json, make and seal the identity key.")
        @OptionGroup var directory: Directory
        @Option(help: "The cluster's cluster.json (its genesis and members' keys are what the signer trusts).") var cluster: String

        func run() throws {
            // Before the passphrase is asked: a signer here is never replaced.
            guard !FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("signer.json").path) else {
                fail("\(directory.dir) already holds an offline signer")
            }
            let passphrase = try directory.passphrase(confirming: true)
            do {
                let store = try OfflineSignerStore.create(at: directory.url, clusterFile: URL(fileURLWithPath: cluster), passphrase: passphrase)
                print("offline signer set up in \(directory.dir)")
                print("cluster:  \(store.trust.name) (genesis \(store.genesisDigest.hexString.prefix(16)))")
                print("members:  \(store.trust.n) (fingerprint \(OfflineMembers.fingerprint(of: store.trust.members)))")
                print("identity: \(store.identityKey.hexString)")
            } catch { fail(error.reason) }
        }
    }

    struct Enrol: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enrol",
            abstract: "Make this signer's key for VAULT and write its enrolment (for the create-vault operation) as QR images or bytes.")
        @Argument(help: "The vault id the create-vault operation will use.") var vault: String
        @Option(help: "frost-ed25519 or frost-taproot.") var scheme: String
        @OptionGroup var directory: Directory
        @Option(help: "Write the enrolment as QR images (PNG) into this directory.") var out: String?
        @Option(help: "Write the enrolment's bytes to this file.") var raw: String?

        func validate() throws {
            guard (out == nil) != (raw == nil) else { throw ValidationError("give --out DIR or --raw FILE") }
            guard Vault.Scheme(rawValue: scheme) != nil else { throw ValidationError("unknown scheme \(scheme)") }
        }

        func run() throws {
            let store = directory.store()
            let passphrase = try directory.passphrase()
            do {
                let enrolment = try store.enrol(vault: vault, scheme: Vault.Scheme(rawValue: scheme)!, passphrase: passphrase)
                try OfflineCommand.write(enrolment.serializedBytes, out: out, raw: raw)
                print("enrolled in vault \(vault) (\(scheme))")
                print("offline key: \(enrolment.offlineKey.hexString)")
                print("fingerprint: \(enrolment.fingerprint)  (compare it with the create-vault proposal's)")
            } catch { fail(error.reason) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What this signer holds: cluster, identity, vaults, answered requests (no secrets).")
        @OptionGroup var directory: Directory
        @Flag(help: "Print JSON.") var json = false

        struct View: Encodable {
            let cluster: String
            let genesisDigest: String
            let members: [String]
            /// `OfflineMembers.fingerprint` of the trusted members.
            let membersFingerprint: String
            let identityKey: String
            let vaults: [OfflineSignerStore.EnrolledVault]
            let answered: [OfflineSignerStore.AnsweredRequest]
        }

        func run() throws {
            let store = directory.store()
            do {
                let view = View(cluster: store.trust.name, genesisDigest: store.genesisDigest.hexString,
                                members: store.trust.members.map(\.id.rawValue),
                                membersFingerprint: OfflineMembers.fingerprint(of: store.trust.members), identityKey: store.identityKey.hexString,
                                vaults: try store.vaults(), answered: try store.answers())
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(view), as: UTF8.self))
                    return
                }
                print("cluster:  \(view.cluster) (genesis \(view.genesisDigest.prefix(16)))")
                print("members:  \(view.members.joined(separator: ", ")) (fingerprint \(view.membersFingerprint))")
                print("identity: \(view.identityKey)")
                print("")
                printTable(header: ["VAULT", "SCHEME", "OFFLINE KEY"], rows: view.vaults.map { [$0.vault, $0.scheme, $0.offlineKey] })
                print("")
                printTable(header: ["VAULT", "REQUEST", "ATTEMPT"], rows: view.answered.map { [$0.vault, $0.request, String($0.attempt)] })
            } catch let error as OfflineError { fail(error.reason) }
        }
    }

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a signing bundle against the trusted cluster, show what it signs, record the use, write the response.")
        @OptionGroup var directory: Directory
        @Option(help: "Read the bundle from the QR images (PNG) in this directory.") var `in`: String?
        @Option(name: .customLong("raw-in"), help: "Read the bundle's bytes from this file.") var rawIn: String?
        @Option(help: "Write the response as QR images (PNG) into this directory.") var out: String?
        @Option(help: "Write the response's bytes to this file.") var raw: String?
        @Flag(help: "Sign without asking for confirmation.") var yes = false

        func validate() throws {
            guard (`in` == nil) != (rawIn == nil) else { throw ValidationError("give --in DIR or --raw-in FILE") }
            guard (out == nil) != (raw == nil) else { throw ValidationError("give --out DIR or --raw FILE") }
        }

        func run() throws {
            let store = directory.store()
            let passphrase = try directory.passphrase()
            do {
                let bytes: [UInt8]
                if let dir = `in` {
                    bytes = try QRImages.read(directory: URL(fileURLWithPath: dir))
                } else {
                    guard let data = FileManager.default.contents(atPath: rawIn!) else { fail("cannot read \(rawIn!)") }
                    bytes = Array(data)
                }
                let bundle: OfflineBundle
                do { bundle = try OfflineBundle(serialized: bytes) } catch { fail("the bundle does not decode: \(error.reason)") }
                // The answer is recorded before it is written, and an attempt is answered once: a
                // place it cannot be written to is refused first (review helper-143 L2).
                try OfflineCommand.checkWritable(out: out, raw: raw, input: `in`)
                let response = try store.answer(bundle, passphrase: passphrase) { verified in
                    OfflineCommand.describe(verified)
                    return yes || OfflineCommand.confirm()
                }
                try OfflineCommand.write(response.serializedBytes, out: out, raw: raw)
                print("answered request \(response.request) of vault \(response.vault), attempt \(response.attempt)")
            } catch { fail(error.reason) }
        }
    }

    /// The decoded intent, for the person at the machine.
    static func describe(_ v: VerifiedOfflineBundle) {
        let s = v.statement
        var rows: [[String]] = [
            ["vault", "\(s.vault) (\(s.scheme.rawValue), epoch \(s.epoch))"],
            ["address", address(s)],
            ["request", "\(s.request) (attempt \(s.attempt), height \(v.height))"],
            ["initiator", v.request.initiator],
        ]
        if !v.request.memo.isEmpty {
            rows.append(["memo", "\"\(v.request.memo.printable(limit: 200))\" (the initiator's words, not verified by anyone)"])
        }
        rows.append(["decision", "\(s.outcome.rawValue) by \(s.rules.joined(separator: ", ")); here: \(v.decision.outcome.rawValue)"])
        rows.append(["approvals", s.approvers.isEmpty ? "none needed" : s.approvers.joined(separator: ", ")])
        rows.append(["attested by", v.attesters.map(\.rawValue).joined(separator: ", ")])
        printTable(header: ["", ""], rows: rows)
        if !v.explanation.isEmpty { print(v.explanation) }
        print("")
        print("signs:")
        for line in OfflineMessageView(s.message, scheme: s.scheme).lines { print(line) }
        print("")
    }

    /// The vault's root address from the attested key (Y_on + Y_off), for the person to compare
    /// with the address they know: Bitcoin mainnet for Taproot vaults, Solana for Ed25519 vaults.
    static func address(_ s: OfflineAttestation) -> String {
        let chain: VaultAddress.Chain = s.scheme == .frostTaproot ? .bitcoin : .solana
        let derived = try? VaultAddress.derive(scheme: s.scheme, groupKey: s.groupKey, chainCode: [UInt8](repeating: 0, count: 32),
                                               chain: chain, path: [])
        return derived.map { "\($0) (\(chain.rawValue))" } ?? "(the attested key has no \(chain.rawValue) address)"
    }

    /// Asks `question` and reads the answer from standard input: only `yes` says yes.
    static func confirm(_ question: String = "sign this?") -> Bool {
        print("\(question) type yes: ", terminator: "")
        return readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes"
    }

    /// Refuses an output the answer could not be written to: a directory that already holds PNG
    /// files (or is the input), or a raw file that exists or whose folder is missing.
    static func checkWritable(out: String?, raw: String?, input: String?) throws(OfflineError) {
        let fm = FileManager.default
        if let out {
            if let input, URL(fileURLWithPath: out).standardizedFileURL == URL(fileURLWithPath: input).standardizedFileURL {
                throw OfflineError(.io, "--out is the bundle's directory: write the answer to an empty directory")
            }
            let existing = (try? fm.contentsOfDirectory(atPath: out)) ?? []
            if existing.contains(where: { $0.lowercased().hasSuffix(".png") }) {
                throw OfflineError(.io, "\(out) already holds PNG files: write the answer to an empty directory (nothing was signed)")
            }
        }
        if let raw {
            if fm.fileExists(atPath: raw) { throw OfflineError(.io, "\(raw) exists: name a new file (nothing was signed)") }
            let folder = URL(fileURLWithPath: raw).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue, fm.isWritableFile(atPath: folder) else {
                throw OfflineError(.io, "cannot write into \(folder) (nothing was signed)")
            }
        }
    }

    static func write(_ bytes: [UInt8], out: String?, raw: String?) throws(OfflineError) {
        if let out {
            let files = try QRImages.write(bytes, to: URL(fileURLWithPath: out))
            print("wrote \(files.count) QR image\(files.count == 1 ? "" : "s") to \(out)")
        } else if let raw {
            guard FileManager.default.createFile(atPath: raw, contents: Data(bytes)) else { throw OfflineError(.io, "cannot write \(raw)") }
            print("wrote \(bytes.count) bytes to \(raw)")
        }
    }
}
