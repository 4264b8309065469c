import CustosCore
import CustosLedger
import CustosOffline
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// `custos offline` as a person runs it: set up, enrol (QR images and raw bytes), show (table
/// and JSON, no secret), and a bundle that is no bundle refused without recording anything.
struct OfflineCommandTests {
    @Test func setUpEnrolShowAndRefuseAForeignBundle() async throws {
        let f = try OfflineSignerStoreTests.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        let passphrase = f.root.appendingPathComponent("passphrase")
        try Data((OfflineSignerStoreTests.passphrase + "\n").utf8).write(to: passphrase)
        let dir = f.root.appendingPathComponent("cli-signer").path
        let cluster = f.root.appendingPathComponent("cluster.json").path
        let setUp = try await CustosExecutable.run(["offline", "init", "--dir", dir, "--cluster", cluster, "--passphrase-file", passphrase.path])
        #expect(setUp.status == 0, "\(setUp.stderr)")
        #expect(setUp.stdout.contains("offline signer set up"))
        let again = try await CustosExecutable.run(["offline", "init", "--dir", dir, "--cluster", cluster, "--passphrase-file", passphrase.path])
        #expect(again.status != 0 && again.stderr.contains("already holds an offline signer"))

        let images = f.root.appendingPathComponent("enrolment-qr").path
        let enrol = try await CustosExecutable.run(["offline", "enrol", "cold", "--scheme", "frost-ed25519", "--dir", dir,
                                                    "--passphrase-file", passphrase.path, "--out", images])
        #expect(enrol.status == 0, "\(enrol.stderr)")
        #expect(enrol.stdout.contains("QR image"))
        #expect(enrol.stdout.contains("fingerprint: "))
        let raw = f.root.appendingPathComponent("btc.enrolment").path
        let enrolRaw = try await CustosExecutable.run(["offline", "enrol", "btc", "--scheme", "frost-taproot", "--dir", dir,
                                                       "--passphrase-file", passphrase.path, "--raw", raw])
        #expect(enrolRaw.status == 0, "\(enrolRaw.stderr)")
        let wrong = f.root.appendingPathComponent("wrong")
        try Data("wrong horse".utf8).write(to: wrong)
        let refused = try await CustosExecutable.run(["offline", "enrol", "hot", "--scheme", "frost-ed25519", "--dir", dir,
                                                      "--passphrase-file", wrong.path, "--raw", raw + ".2"])
        #expect(refused.status != 0 && refused.stderr.contains("wrong passphrase") && !refused.stderr.contains("wrong horse"))

        let show = try await CustosExecutable.run(["offline", "show", "--dir", dir])
        #expect(show.status == 0 && show.stdout.contains("cold") && show.stdout.contains("frost-taproot"), "\(show.stdout)")
        let json = try await CustosExecutable.run(["offline", "show", "--dir", dir, "--json"])
        struct View: Decodable { struct Vault: Decodable { let vault, scheme, offlineKey: String }; let vaults: [Vault]; let identityKey: String }
        let view = try JSONDecoder().decode(View.self, from: Data(json.stdout.utf8))
        #expect(view.vaults.map(\.vault) == ["btc", "cold"])
        #expect(!json.stdout.contains("sealed"))

        // The enrolment's QR images are a real enrolment for this cluster.
        let bundleDir = f.root.appendingPathComponent("bundle").path
        let bogus = f.root.appendingPathComponent("bogus.bin")
        try Data([1, 2, 3]).write(to: bogus)
        let sign = try await CustosExecutable.run(["offline", "sign", "--dir", dir, "--passphrase-file", passphrase.path,
                                                   "--raw-in", bogus.path, "--out", bundleDir, "--yes"])
        #expect(sign.status != 0 && sign.stderr.contains("the bundle does not decode"), "\(sign.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bundleDir))
        let foreignQR = try await CustosExecutable.run(["offline", "sign", "--dir", dir, "--passphrase-file", passphrase.path,
                                                        "--in", images, "--raw", bogus.path + ".out", "--yes"])
        #expect(foreignQR.status != 0 && foreignQR.stderr.contains("the bundle does not decode"), "\(foreignQR.stderr)")

        // The create-vault proposal reads the enrolment as every node will, and shows its
        // fingerprint to compare with the offline machine's screen before anything is proposed
        // (here nothing is: no credential, no gateway).
        let fingerprint = try OfflineEnrolment(serializedBytes: Array(try Data(contentsOf: URL(fileURLWithPath: raw)))).fingerprint
        let create = try await CustosExecutable.run(["vault", "create", "btc", "--scheme", "frost-taproot", "--environment", "production",
                                                     "--label", "cold BTC", "--gateway", "http://127.0.0.1:9", "--as", bogus.path,
                                                     "--offline-enrolment", raw])
        #expect(create.status != 0 && create.stdout.contains("enrolment fingerprint \(fingerprint)"), "\(create.stdout) \(create.stderr)")
        let garbled = try await CustosExecutable.run(["vault", "create", "btc", "--scheme", "frost-taproot", "--environment", "production",
                                                      "--label", "cold BTC", "--gateway", "http://127.0.0.1:9", "--as", bogus.path,
                                                      "--offline-enrolment", bogus.path])
        #expect(garbled.status != 0 && garbled.stderr.contains("is not an offline enrolment"), "\(garbled.stderr)")
    }

    /// `offline update-cluster`: the members added and removed and the new fingerprint are
    /// shown, `show` prints the fingerprint the online side compares, and a file of another
    /// cluster is refused by name.
    @Test func updateClusterShowsTheChangeAndTheFingerprint() async throws {
        let f = try OfflineSignerStoreTests.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        let dir = f.directory.path
        let before = OfflineMembers.fingerprint(of: f.store.trust.members)
        let show = try await CustosExecutable.run(["offline", "show", "--dir", dir])
        #expect(show.status == 0 && show.stdout.contains("fingerprint \(before)"), "\(show.stdout)")

        let node5 = NodeIdentity.generate(id: NodeID("node-5"))
        let next = Array(f.identities.prefix(3)) + [node5]
        let after = OfflineMembers.fingerprint(of: try next.map { try $0.member() })
        let other = try OfflineClusterUpdateTests.clusterFile(f, members: next, policy: "version: 3\n")
        let refused = try await CustosExecutable.run(["offline", "update-cluster", "--dir", dir, "--cluster", other.path, "--yes"])
        #expect(refused.status != 0 && refused.stderr.contains("is a file of another cluster"), "\(refused.stderr)")

        let newFile = try OfflineClusterUpdateTests.clusterFile(f, members: next)
        let update = try await CustosExecutable.run(["offline", "update-cluster", "--dir", dir, "--cluster", newFile.path, "--yes"])
        #expect(update.status == 0, "\(update.stderr)")
        let lines = update.stdout.split(separator: "\n").map(String.init)
        let node5Key = OfflineMembers.keyFingerprint(of: try node5.member())
        #expect(lines.contains { $0.hasPrefix("added") && $0.contains("node-5") && $0.contains(node5Key) }, "\(update.stdout)")
        #expect(lines.contains { $0.hasPrefix("removed") && $0.contains("node-4") })
        #expect(update.stdout.contains(before) && update.stdout.contains(after))

        struct View: Decodable { let members: [String]; let membersFingerprint: String }
        let json = try await CustosExecutable.run(["offline", "show", "--dir", dir, "--json"])
        let view = try JSONDecoder().decode(View.self, from: Data(json.stdout.utf8))
        #expect(view.members == ["node-1", "node-2", "node-3", "node-5"] && view.membersFingerprint == after)
    }

    struct TerminalRun: Encodable { let binary: String; let args: [String]; let lines: [String]; let mode: String; let cwd: String }
    struct TerminalOutcome: Decodable { let status: Int; let output: String; let stderr: String; let echo: Bool }

    static func terminal(_ args: [String], typing lines: [String], pipe: Bool = false) async throws -> TerminalOutcome {
        try await PythonPeer.call("terminal_passphrase.py", TerminalRun(
            binary: CustosExecutable.url.path, args: args, lines: lines, mode: pipe ? "pipe" : "pty", cwd: TestEnvironment.packageRoot.path))
    }

    /// Without `--passphrase-file` the passphrase is typed at the terminal with echo off (twice
    /// at `init`, matching), never read from a standard input that is not a terminal, and never
    /// shown (review A-M5).
    @Test func thePassphraseIsTypedAtTheTerminalWithEchoOff() async throws {
        let f = try OfflineSignerStoreTests.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        let cluster = f.root.appendingPathComponent("cluster.json").path
        let dir = f.root.appendingPathComponent("tty-signer").path
        let typed = "tty horse battery staple"

        let piped = try await Self.terminal(["offline", "init", "--dir", dir, "--cluster", cluster], typing: [typed, typed], pipe: true)
        #expect(piped.status != 0 && piped.stderr.contains("standard input is not a terminal") && piped.stderr.contains("--passphrase-file"),
                "\(piped.stderr)")
        #expect(!piped.stderr.contains(typed) && !piped.output.contains(typed))
        let differ = try await Self.terminal(["offline", "init", "--dir", dir, "--cluster", cluster], typing: [typed, typed + "!"])
        #expect(differ.status != 0 && differ.output.contains("differ") && !differ.output.contains(typed), "\(differ.output)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/signer.json"))

        let setUp = try await Self.terminal(["offline", "init", "--dir", dir, "--cluster", cluster], typing: [typed, typed])
        #expect(setUp.status == 0 && setUp.output.contains("offline signer set up"), "\(setUp.output)")
        #expect(setUp.output.contains("passphrase again: ") && !setUp.output.contains(typed) && !setUp.echo)
        // The typed passphrase is the one that sealed the keys: it opens them from a file too,
        // and a wrong one typed at the terminal does not.
        let file = f.root.appendingPathComponent("tty-passphrase")
        try Data((typed + "\n").utf8).write(to: file)
        let enrol = try await CustosExecutable.run(["offline", "enrol", "cold", "--scheme", "frost-ed25519", "--dir", dir,
                                                    "--passphrase-file", file.path, "--raw", f.root.appendingPathComponent("e1").path])
        #expect(enrol.status == 0, "\(enrol.stderr)")
        let typedEnrol = try await Self.terminal(["offline", "enrol", "hot", "--scheme", "frost-ed25519", "--dir", dir,
                                                  "--raw", f.root.appendingPathComponent("e2").path], typing: [typed])
        #expect(typedEnrol.status == 0 && typedEnrol.output.contains("enrolled in vault hot") && !typedEnrol.output.contains(typed),
                "\(typedEnrol.output)")
        let wrong = try await Self.terminal(["offline", "enrol", "warm", "--scheme", "frost-ed25519", "--dir", dir,
                                             "--raw", f.root.appendingPathComponent("e3").path], typing: ["not it"])
        #expect(wrong.status != 0 && wrong.output.contains("wrong passphrase") && !wrong.output.contains("not it"), "\(wrong.output)")
    }
}
