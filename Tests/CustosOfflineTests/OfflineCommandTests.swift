import CustosCore
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
}
