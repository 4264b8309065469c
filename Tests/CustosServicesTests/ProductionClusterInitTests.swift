import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// `custos cluster init --production` as a firm would run it, and as someone would try to slip
/// software in: node keys sealed by the PKCS#11 token (SoftHSM2), the first people from their
/// security keys' registrations (made by a test CA's keys in `attestation_peer.py`, over the
/// challenge `custos cluster registration-challenge` prints), and the attestation roots in the
/// genesis. Registrations chaining to another vendor's root, attestation `none`, or no roots at
/// all are refused, and nothing is created.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(3)))
struct ProductionClusterInitTests {
    static let rpId = "custos.example.com"
    static let origin = "https://custos.example.com"
    /// The demo organisation's first people, as `custos cluster init --people` names them.
    static let people: [(user: String, roles: String)] = [
        ("erin", "admin+security-officer"), ("frank", "admin+executive"), ("grace", "admin+compliance"),
        ("heidi", "security-officer"), ("laura", "security-officer"), ("alice", "trader+treasury-ops"),
    ]

    @Test func aProductionClusterIsMadeOfHardwareOnly() async throws {
        let token = try SoftHSM.token("custos-cluster-init")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("custos-production-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let pinFile = root.appendingPathComponent("token.pin")
        try Data((SoftHSM.pin + "\n").utf8).write(to: pinFile)

        // The challenge each person's key registers over, as the command prints it.
        let printed = try await CustosExecutable.run(["cluster", "registration-challenge", "--name", "acme", "--user", "erin"])
        #expect(printed.status == 0 && printed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            == Base64URL.encode(GenesisDocument.registrationChallenge(clusterName: "acme", user: "erin")), "\(printed.stderr)")
        let made = try await AttestationPeer.make(rpId: Self.rpId, origin: Self.origin, seed: "acme-vendor", Self.people.enumerated().map { i, p in
            (GenesisDocument.registrationChallenge(clusterName: "acme", user: p.user), i % 2 == 0 ? "packed" : "fido-u2f")
        })
        let unattested = try await AttestationPeer.make(rpId: Self.rpId, origin: Self.origin, [
            (GenesisDocument.registrationChallenge(clusterName: "acme", user: Self.people[0].user), "none"),
        ])
        func write(_ r: AttestationPeer.Registration, _ name: String) throws -> String {
            let url = root.appendingPathComponent(name)
            let json: [String: Any] = ["id": Base64URL.encode(r.credentialId), "rawId": Base64URL.encode(r.credentialId), "type": "public-key",
                                       "response": ["attestationObject": Base64URL.encode(r.attestationObject),
                                                    "clientDataJSON": Base64URL.encode(r.clientDataJSON)]]
            try JSONSerialization.data(withJSONObject: json).write(to: url)
            return url.path
        }
        var admins: [String] = []
        for (p, r) in zip(Self.people, made.registrations) { admins += ["--admin", "\(p.user):\(p.roles)=\(try write(r, "\(p.user).json"))"] }
        let noneAdmin = ["--admin", "\(Self.people[0].user):\(Self.people[0].roles)=\(try write(unattested.registrations[0], "none.json"))"]
        let trusted = root.appendingPathComponent("vendor-root.der")
        try Data(made.trustedRoot).write(to: trusted)
        let other = root.appendingPathComponent("other-root.pem")
        try Data(("-----BEGIN CERTIFICATE-----\n" + Data(made.otherRoot).base64EncodedString(options: .lineLength64Characters)
                  + "\n-----END CERTIFICATE-----\n").utf8).write(to: other)
        func initCluster(_ dir: String, _ extra: [String]) async throws -> CustosExecutable.Outcome {
            try await CustosExecutable.run([
                "cluster", "init", "--production", "--dir", root.appendingPathComponent(dir).path, "--name", "acme",
                "--rp-id", Self.rpId, "--origin", Self.origin,
                "--policy", TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml").path,
                "--pkcs11-module", SoftHSM.module, "--token", token, "--pin-file", pinFile.path,
            ] + extra)
        }

        // Another vendor's root; attestation none; no roots: refused, nothing made.
        let foreign = try await initCluster("foreign", admins + ["--attestation-root", other.path])
        #expect(foreign.status == 1 && foreign.stderr.contains("chains to none of the cluster's attestation roots"), "\(foreign.stderr)")
        let none = try await initCluster("none", noneAdmin + admins.dropFirst(2) + ["--attestation-root", trusted.path])
        #expect(none.status == 1 && none.stderr.contains("proves no hardware authenticator"), "\(none.stderr)")
        let rootless = try await initCluster("rootless", admins)
        #expect(rootless.status == 1 && rootless.stderr.contains("--attestation-root"), "\(rootless.stderr)")
        for dir in ["foreign", "none", "rootless"] {
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(dir).appendingPathComponent("cluster.json").path))
        }
        // Production flags without --production are refused rather than ignored.
        let mixed = try await CustosExecutable.run(["cluster", "init", "--dir", root.appendingPathComponent("mixed").path] + admins)
        #expect(mixed.status == 1 && mixed.stderr.contains("are for --production"), "\(mixed.stderr)")

        // The vendor's root: the cluster is made, every node sealed by the token, no software credential.
        let created = try await initCluster("acme", admins + ["--attestation-root", trusted.path, "--attestation-root", other.path])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("YubiKey 5 Series"), "\(created.stdout)")
        let dir = root.appendingPathComponent("acme")
        let configuration = try ClusterFile.load(path: dir.appendingPathComponent("cluster.json").path)
        let genesis = try GenesisDocument(encoded: configuration.genesisDocument)
        #expect(genesis.mode == .production && genesis.attestationRoots == [made.trustedRoot, made.otherRoot])
        let state = try ReplicatedState(genesis: genesis)
        #expect(state.users.values.allSatisfy { $0.credentials.count == 1 && !$0.credentials[0].isSoftware })
        for i in 1...4 {
            let node = try String(contentsOf: dir.appendingPathComponent("nodes/node-\(i)/node.json"), encoding: .utf8)
            #expect(node.contains("\"pkcs11\"") && node.contains("\"production\"") && !node.contains(SoftHSM.pin), "\(node)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("credentials").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("dev-passphrase").path))
        // Incident drills run on development clusters only: this one is refused, saying why, before anything is done.
        let drill = try await CustosExecutable.run(["drill", "run", "node-compromised", "--dir", dir.path, "--gateway", "http://127.0.0.1:9"])
        #expect(drill.status == 1 && drill.stderr.contains("is a production cluster: drills freeze signing"), "\(drill.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("drills").path))
    }
}

