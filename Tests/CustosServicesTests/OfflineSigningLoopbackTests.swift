import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosNodeService
import CustosState
import CustosTestSupport
import Foundation
import Testing

extension VaultSigningLoopbackTests {
    /// The vault with an offline share that the shared cluster's policy lets the risk bot sign
    /// raw messages with (`sharedPolicy`).
    static let offlineVault = "sol-cold"

    /// The shared cluster's policy: the example with short signing attempts, and a rule for the
    /// raw messages of `offlineVault`.
    static func sharedPolicy() throws -> URL {
        let file = try LocalCluster.exampleWithShortSigningAttempts()
        let text = try String(contentsOf: file, encoding: .utf8)
        let rule = """
              - name: allow-risk-bot-cold-attestation
                description: The risk bot signs short raw proofs of reserves with the Solana cold key, which needs the offline signer.
                match:
                  initiator: {roles: [risk-bot]}
                  vault: [\(offlineVault)]
                  message: {format: [raw]}
                when: "request.message.length <= 256"
                outcome: allow

              - name: allow-risk-bot-permit2

            """
        let vaults = "vaults: [hot-trading, otc-settlement, cold-storage, ops-gas, defi, btc-treasury, sol-treasury]\n"
        guard text.contains("  - name: allow-risk-bot-permit2\n"), text.contains(vaults) else { throw SharedPolicyError() }
        let extended = text.replacingOccurrences(of: "  - name: allow-risk-bot-permit2\n", with: rule)
            .replacingOccurrences(of: vaults, with: vaults.replacingOccurrences(of: "]\n", with: ", \(offlineVault)]\n"))
        try Data(extended.utf8).write(to: file)
        return file
    }

    struct SharedPolicyError: Error {}

    /// Air-gapped signing end to end (#15 item 3), with real processes and QR images: an offline
    /// signer is set up with the cluster's `cluster.json` and enrols in a new Ed25519 vault; the
    /// create-vault operation carries its enrolment, and the nodes generate their part of the key.
    /// A raw message the policy allows waits for the offline signer: every node attests the
    /// attempt, `custos vault offline-bundle` exports the certified request, the attestations and
    /// the policy as QR images (`qrencode`), `custos offline sign` reads them (`zbarimg`), checks
    /// them against the cluster it trusts, records the use and answers as QR images, and
    /// `custos vault offline-answer` submits the answer; the nodes then sign, and PyNaCl verifies
    /// the signature under the vault key (the nodes' key plus the offline key). A bundle with a
    /// forged certificate is refused, and the same bundle is never answered twice.
    /// Sets an offline signer up in a new folder under the cluster's, enrols it in
    /// `offlineVault` and creates that vault through governance (erin proposes, frank and grace
    /// approve), waiting until it is active with nonces pooled on every node; answers the folder
    /// and a runner of `custos offline` for that signer.
    func offlineVault(_ cluster: LocalCluster) async throws -> (work: URL, offline: @Sendable ([String]) async throws -> String) {
        let work = cluster.root.appendingPathComponent("offline-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let signer = work.appendingPathComponent("signer").path
        let passphrase = work.appendingPathComponent("passphrase")
        try Data("correct horse battery staple offline\n".utf8).write(to: passphrase)
        let binary = cluster.binary
        let offline: @Sendable ([String]) async throws -> String = { arguments in
            try await LocalCluster.run(binary, ["offline"] + arguments + ["--dir", signer, "--passphrase-file", passphrase.path])
        }
        _ = try await offline(["init", "--cluster", cluster.clusterFile.path])
        let enrolment = work.appendingPathComponent("enrolment.bin").path
        let enrolled = try await offline(["enrol", Self.offlineVault, "--scheme", "frost-ed25519", "--raw", enrolment])
        #expect(enrolled.contains("fingerprint"))

        let operation = "create-\(Self.offlineVault)"
        try await cluster.vault(["create", "--as", "erin", "--operation-id", operation, "--scheme", "frost-ed25519", "--environment", "development",
                                 "--label", "Solana cold", "--offline-enrolment", enrolment, Self.offlineVault])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == operation } }
        try await cluster.op(["approve", "--yes", "--as", "frank", operation])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == operation }?.approvals.count == 1 }
        try await cluster.op(["approve", "--yes", "--as", "grace", operation])
        _ = try await cluster.waitForGovernance(seconds: 120) { g in
            g.vaults.first { $0.id == Self.offlineVault }.map { $0.status == "active" && $0.pools.values.filter { $0 > 0 }.count == 4 } ?? false
        }
        return (work, offline)
    }

    func offlineSigning(_ cluster: LocalCluster) async throws {
        let (work, offline) = try await offlineVault(cluster)
        let message = Array("proof of reserves 2026-12-07 / sol-cold".utf8)
        let request = try await submitMessage(cluster, "cold-proof-1", vault: Self.offlineVault,
                                              #"{"format": "raw", "hex": "\#(message.hexString)"}"#)
        // Every node attests the attempt; the nodes alone sign nothing.
        let attested = try await cluster.waitForGovernance(seconds: 60) { g in
            (g.requests.first { $0.id == request }?.signing?.offline?.attestations.count ?? 0) == 4
        }
        #expect(attested["node-1"]?.governance?.requests.first { $0.id == request }?.signing?.signature == nil)

        let bundle = work.appendingPathComponent("bundle")
        let exported = try await cluster.vaultOutput(["offline-bundle", request, "--out", bundle.path, "--cluster", cluster.clusterFile.path])
        #expect(exported.contains("4 attestations"))
        let images = try FileManager.default.contentsOfDirectory(atPath: bundle.path).filter { $0.hasSuffix(".png") }
        #expect(!images.isEmpty)

        // A bundle whose certificate is forged (votes by keys that are no member's, as a gateway
        // operator could make them) is refused by the offline signer, and records nothing.
        let raw = work.appendingPathComponent("bundle.bin")
        _ = try await cluster.vaultOutput(["offline-bundle", request, "--raw", raw.path])
        let genuine = try OfflineBundle(serialized: Array(try Data(contentsOf: raw)))
        let strangers = ["node-1", "node-2", "node-3"].map { NodeIdentity.generate(id: NodeID(stringLiteral: $0)) }
        let ledgerGenesis = try ClusterFile.load(path: cluster.clusterFile.path).genesisDigest
        let votes = strangers.map { Vote(signing: genuine.block, genesisDigest: ledgerGenesis, identity: $0) }
        let forged = OfflineBundle(block: genuine.block, certificate: QuorumCertificate(
            height: genuine.block.height, blockHash: genuine.block.hash, previousHash: genuine.block.previousHash, votes: votes),
            requestIndex: genuine.requestIndex, attestations: genuine.attestations, policyYAML: genuine.policyYAML)
        let forgedFile = work.appendingPathComponent("forged.bin")
        try Data(forged.serialized).write(to: forgedFile)
        do {
            _ = try await offline(["sign", "--raw-in", forgedFile.path, "--raw", work.appendingPathComponent("forged-answer.bin").path, "--yes"])
            Issue.record("the offline signer answered a bundle with a forged certificate")
        } catch {
            #expect("\(error)".contains("certificate"), "\(error)")
        }
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("forged-answer.bin").path))

        let answer = work.appendingPathComponent("answer")
        let signed = try await offline(["sign", "--in", bundle.path, "--out", answer.path, "--yes"])
        #expect(signed.contains("answered request \(request)"))
        #expect(signed.contains("proof of reserves 2026-12-07 / sol-cold"), "the offline signer shows what it signs, decoded")
        // The same bundle again: the offline signer answered this attempt already.
        await #expect(throws: (any Error).self) {
            _ = try await offline(["sign", "--in", bundle.path, "--out", work.appendingPathComponent("again").path, "--yes"])
        }

        let submitted = try await cluster.vaultOutput(["offline-answer", "--in", answer.path, "--wait", "90"])
        #expect(submitted.contains("signed at height"), "\(submitted)")
        let statuses = try await cluster.waitForGovernance(seconds: 60) { g in g.requests.first { $0.id == request }?.signing?.status == "signed" }
        let reference = try #require(statuses["node-1"]?.governance)
        let signing = try #require(reference.requests.first { $0.id == request }?.signing)
        #expect(signing.offline?.answeredHeight != nil && signing.signers.count == 3)
        let key = try #require(reference.vaults.first { $0.id == Self.offlineVault }?.publicKey)
        let verdicts = try await PythonPeer.call("signature_verify_peer.py", Verify(ed25519: [
            .init(key: key, message: message.hexString, signature: try #require(signing.signature)),
            .init(key: key, message: Array("another message".utf8).hexString, signature: signing.signature!),
        ]), as: Verdicts.self)
        #expect(verdicts.ed25519 == [true, false], "PyNaCl verifies the signature under Y_on + Y_off, and only for its message")
        let shown = try await offline(["show", "--json"])
        #expect(shown.contains(request))
    }

    /// A signer of an offline vault's attempt that crashes right after making its share (its nonce
    /// is spent) sends the share it kept again once it restarts, so the attempt the offline signer
    /// answered completes without another trip to the air gap (review helper-142 M4).
    @Test func anOfflineVaultSignerCrashingAfterItsShareSendsItAgainAndTheAttemptCompletes() async throws {
        let cluster = try await LocalCluster(nodeCount: 4, policy: Self.sharedPolicy())
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs {
            try cluster.startNode(id, extraArguments: id == "node-1" ? ["--unsafe-test-exit-after-recording-nonce-use"] : [])
        }
        try await addBot(cluster, "risk-bot", role: "risk-bot")
        let (work, offline) = try await offlineVault(cluster)
        _ = try await cluster.waitForGovernance { g in g.bots.contains { $0.id == "risk-bot" } }
        let request = try await submitMessage(cluster, "cold-proof-2", vault: Self.offlineVault,
                                              #"{"format": "raw", "hex": "\#(Array("proof of reserves, crash drill".utf8).hexString)"}"#)
        let waiting = try await cluster.waitForGovernance(seconds: 60) { g in
            (g.requests.first { $0.id == request }?.signing?.offline?.attestations.count ?? 0) == 4
        }
        // Every node had nonces pooled: the first attempt's signers are node-1, -2, -3.
        #expect(waiting["node-2"]?.governance?.requests.first { $0.id == request }?.signing?.signers.contains("node-1") == true)
        let bundle = work.appendingPathComponent("bundle"), answer = work.appendingPathComponent("answer")
        _ = try await cluster.vaultOutput(["offline-bundle", request, "--out", bundle.path])
        _ = try await offline(["sign", "--in", bundle.path, "--out", answer.path, "--yes"])
        async let submitted = cluster.vaultOutput(["offline-answer", "--in", answer.path, "--wait", "150"])
        #expect(try await cluster.waitForExit("node-1", seconds: 60) == NodeFaultInjection.exitStatus)
        try cluster.startNode("node-1")
        #expect(try await submitted.contains("signed at height"))
        let statuses = try await cluster.waitForGovernance(seconds: 60) { g in g.requests.first { $0.id == request }?.signing?.status == "signed" }
        let signing = try #require(statuses["node-2"]?.governance?.requests.first { $0.id == request }?.signing)
        #expect(signing.attempt == 0 && signing.signers.contains("node-1"), "the answered attempt completed: \(signing.attempt) \(signing.signers)")
        #expect(cluster.log("node-1").contains("sending a kept signature share again after a restart"))
        passed = true
    }
}
