import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import Testing

/// A signer node whose identity and transport keys are sealed by a PKCS#11 token (SoftHSM2,
/// initialized by the test), as real `custos` processes: `custos node init --pkcs11-module …`,
/// then `custos node join-request` and `custos node run` with the token's PIN; it joins the
/// cluster through governance and votes.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(3)))
struct HSMNodeTests {
    @Test func aNodeSealedByAPKCS11TokenInitsJoinsAndVotes() async throws {
        let token = try SoftHSM.token("custos-node-process")
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        let pinFile = cluster.root.appendingPathComponent("hsm.pin")
        try Data((SoftHSM.pin + "\n").utf8).write(to: pinFile)
        let wrongPINFile = cluster.root.appendingPathComponent("wrong.pin")
        try Data("000000\n".utf8).write(to: wrongPINFile)
        let hsm = ["--pin-file", pinFile.path]
        let data = cluster.nodeData("node-hsm").path

        // A production node refuses a passphrase seal at init; a token without its PIN is refused.
        let production = try await CustosExecutable.run(["node", "init", "--data", cluster.nodeData("node-dev").path, "--id", "node-dev",
                                                   "--environment", "production", "--passphrase-file", cluster.passphraseFile.path])
        #expect(production.status == 1 && production.stderr.contains("production node"), "\(production.stderr)")
        let noPIN = try await CustosExecutable.run(["node", "init", "--data", data, "--id", "node-hsm", "--pkcs11-module", SoftHSM.module,
                                              "--token", token, "--passphrase-file", cluster.passphraseFile.path])
        #expect(noPIN.status == 1 && noPIN.stderr.contains("--pin-file"), "\(noPIN.stderr)")

        let member = try await cluster.initNode("node-hsm", seal: ["--pkcs11-module", SoftHSM.module, "--token", token] + hsm)
        #expect(member.id == "node-hsm")
        #expect(member.transportKey.count == 64 && member.transportKey != member.publicKey)
        let configuration = try String(contentsOfFile: data + "/node.json", encoding: .utf8)
        #expect(configuration.contains("\"pkcs11\"") && configuration.contains("\"production\"") && !configuration.contains(SoftHSM.pin))

        // Opening with the wrong kind of credential, or the wrong PIN: one clear line, exit 1.
        let run = ["node", "run", "--data", data, "--id", "node-hsm", "--cluster", cluster.clusterFile.path, "--gateway", "http://127.0.0.1:9"]
        let passphrase = try await CustosExecutable.run(run + cluster.passphraseSeal)
        #expect(passphrase.status == 1 && passphrase.stderr.contains("give the token's PIN, not a passphrase"), "\(passphrase.stderr)")
        let wrongPIN = try await CustosExecutable.run(run + ["--pin-file", wrongPINFile.path])
        #expect(wrongPIN.status == 1 && wrongPIN.stderr.contains("refused the PIN"), "\(wrongPIN.stderr)")
        let otherID = try await CustosExecutable.run(["node", "run", "--data", data, "--id", "node-other", "--cluster", cluster.clusterFile.path,
                                                "--gateway", "http://127.0.0.1:9"] + hsm)
        #expect(otherID.status == 1 && otherID.stderr.contains("does not match"), "\(otherID.stderr)")

        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }
        let request = cluster.root.appendingPathComponent("node-hsm.join.json")
        let joinRequest = try await LocalCluster.run(cluster.binary, [
            "node", "join-request", "--data", data, "--id", "node-hsm", "--cluster", cluster.clusterFile.path,
        ] + hsm)
        try Data(joinRequest.utf8).write(to: request)
        let decoded = try JSONDecoder().decode(JoinRequest.self, from: Data(joinRequest.utf8))
        #expect(decoded.publicKey == member.publicKey && decoded.transportKey == member.transportKey)

        try cluster.startNode("node-hsm", seal: hsm)
        try await cluster.op(["propose", "--as", "erin", "--id", "add-node-hsm", "add-member", request.path])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-node-hsm" } != nil }
        try await cluster.op(["approve", "--yes", "--as", "frank", "add-node-hsm"])
        try await cluster.op(["approve", "--yes", "--as", "grace", "add-node-hsm"])
        let all = cluster.nodeIDs + ["node-hsm"]
        let statuses = try await cluster.waitForGovernance(all) { g in g.members.count == 5 }
        // Every node holds the transport key the HSM node's proof covered.
        for status in statuses.values {
            #expect(status.governance?.members.first { $0.id == "node-hsm" } == member)
        }
        let changedAt = try #require(statuses["node-1"]?.governance?.height)
        for i in 1...4 { _ = try await cluster.submitNote("hsm-\(i)") }
        _ = try await cluster.waitUntil(all) { s in s.values.allSatisfy { $0.height > changedAt } }
        // node-hsm votes on every block after it joined, with the identity key its token sealed
        // (recorded before sent; a certificate may carry only the first q votes to arrive).
        var voted = false
        let deadline = ContinuousClock.now + TestPatience.standard
        while !voted, ContinuousClock.now < deadline {
            voted = try cluster.recordedVotes("node-hsm").contains { $0.height > changedAt }
            if !voted { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(voted, "node-hsm never voted after joining; log: \(cluster.log("node-hsm").suffix(2000))")
        passed = true
    }
}
