import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosNode
import CustosNodeService
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// Vault key ceremonies through the real processes: a gateway and four signer nodes on
/// loopback, each node holding its key share sealed in its own database. Vaults are created by
/// the governed operation (erin proposes with `custos vault create`, frank and grace approve);
/// the nodes generate each key among themselves over the relay, commit their packages and
/// confirmations, and every node ends with the same vault and transcript.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct VaultLoopbackTests {
    static let vaults: [(id: String, scheme: String)] = [
        ("hot-trading", "ecdsa-secp256k1"), ("btc-treasury", "frost-taproot"), ("sol-treasury", "frost-ed25519"),
    ]

    func create(_ cluster: LocalCluster, _ id: String, _ scheme: String, operation: String) async throws {
        try cluster.vault(["create", "--as", "erin", "--operation-id", operation, "--scheme", scheme, "--environment", "development",
                           "--label", "Test \(id)", id])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == operation } }
        try cluster.op(["approve", "--yes", "--as", "frank", operation])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == operation }?.approvals.count == 1 }
        try cluster.op(["approve", "--yes", "--as", "grace", operation])
    }

    @Test func theNodesGenerateAVaultOfEachSchemeAndEachKeepsItsShareSealed() async throws {
        let cluster = try LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }
        for v in Self.vaults { try await create(cluster, v.id, v.scheme, operation: "create-\(v.id)") }
        let statuses = try await cluster.waitForGovernance(seconds: 120) { g in
            g.vaults.count == 3 && g.vaults.allSatisfy { $0.status == "active" }
        }
        let reference = try #require(statuses["node-1"]?.governance)
        for (id, status) in statuses {
            #expect(status.stateDigests.last == statuses["node-1"]!.stateDigests.last, "\(id) disagrees")
            #expect(status.governance?.vaults == reference.vaults, "\(id)")
        }
        for vault in reference.vaults {
            #expect(vault.participants.map(\.node) == cluster.nodeIDs)
            #expect(vault.participants.allSatisfy { $0.softwareVersion == CustosVersion.current && $0.commitmentDigest != nil })
            #expect(vault.publicKey != nil && vault.chainCode != nil && vault.transcriptDigest != nil)
        }
        // Every node holds its own share, sealed: opened with the node's seal it belongs to the key
        // the log recorded, and the database file never holds it in clear.
        for id in cluster.nodeIDs {
            let database = try cluster.openNodeDatabase(id)
            for vault in reference.vaults {
                let sealedID = NodeDatabase.vaultShareID(vault: vault.id, epoch: UInt64(vault.epoch))
                let share = try #require(try database.secret(kind: .vaultKeyShare, id: sealedID), "\(id) has no share of \(vault.id)")
                let bytes = share.unsafeCopyBytes()
                let file = try Data(contentsOf: cluster.nodeData(id).appendingPathComponent("votes.sqlite"))
                let wal = (try? Data(contentsOf: cluster.nodeData(id).appendingPathComponent("votes.sqlite-wal"))) ?? Data()
                // The secret scalar sits after the identifier in the sealed encoding.
                let scalar = Array(bytes[(bytes.count - 32 - 33 - 2)..<(bytes.count - 33 - 2)])
                #expect(file.range(of: Data(scalar)) == nil && wal.range(of: Data(scalar)) == nil, "\(id)'s share of \(vault.id) is in clear")
                if vault.scheme == "frost-ed25519" {
                    let key = try KeyPackage<Ed25519SHA512>(sealedRepresentation: share)
                    #expect(try key.verifyingKey.serialized().hexString == vault.publicKey)
                }
            }
        }
        // The CLI shows the transcript; the exported log verifies offline.
        let show = try cluster.vaultOutput(["show", "sol-treasury"])
        #expect(show.contains("frost-ed25519") && show.contains("node-4") && show.contains(CustosVersion.current))
        let list = try cluster.vaultOutput(["list", "--json"])
        #expect(try JSONDecoder().decode([VaultView].self, from: Data(list.utf8)).count == 3)
        let export = cluster.root.appendingPathComponent("chain.export")
        _ = try LocalCluster.run(cluster.binary, ["node", "export", "--data", cluster.nodeData("node-2").path, "--cluster",
                                                  cluster.clusterFile.path, "--out", export.path])
        _ = try LocalCluster.run(cluster.binary, ["audit", "verify", export.path])
        passed = true
    }

    @Test func aNodeSendingAWrongShareIsNamedAndLeftOutOfTheNextCeremony() async throws {
        let cluster = try LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs {
            try cluster.startNode(id, extraArguments: id == "node-3" ? ["--unsafe-test-corrupt-shares-to", "node-2"] : [])
        }
        try await create(cluster, "hot-trading", "frost-ed25519", operation: "create-1")
        var statuses = try await cluster.waitForGovernance(seconds: 120) { g in g.vaults.first?.status == "failed" }
        let failure = try #require(statuses["node-1"]?.governance?.vaults.first?.failure)
        #expect(failure.culprits == ["node-3"], "\(failure.reason)")
        // Created again, the vault is generated by the three others.
        try await create(cluster, "hot-trading", "frost-ed25519", operation: "create-2")
        statuses = try await cluster.waitForGovernance(seconds: 120) { g in g.vaults.first?.status == "active" }
        let vault = try #require(statuses["node-1"]?.governance?.vaults.first)
        #expect(vault.epoch == 1 && vault.participants.map(\.node) == ["node-1", "node-2", "node-4"])
        passed = true
    }
}

/// Signing through the real processes: a bot's message request that the policy allows is
/// signed by a FROST vault — nonce commitments from the nodes' pools, shares through the relay,
/// the signature verified by every node before it is recorded — and the signature verifies with
/// an independent implementation (PyNaCl, coincurve).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct VaultSigningLoopbackTests {
    struct Verify: Codable {
        struct Ed25519: Codable {
            var key: String
            var message: String
            var signature: String
        }
        var ed25519: [Ed25519]
    }

    struct Verdicts: Codable { var ed25519: [Bool] }

    /// Creates the Ed25519 vault `sol-treasury` and registers the risk bot, both through
    /// governance (erin proposes, frank and grace approve).
    func solanaVaultAndRiskBot(_ cluster: LocalCluster) async throws {
        try await VaultLoopbackTests().create(cluster, "sol-treasury", "frost-ed25519", operation: "create-sol")
        try cluster.op(["propose", "--as", "erin", "--id", "add-risk-bot", "add-bot", "risk-bot", "risk-bot"])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "add-risk-bot" } }
        try cluster.op(["approve", "--yes", "--as", "frank", "add-risk-bot"])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-risk-bot" }?.approvals.count == 1 }
        try cluster.op(["approve", "--yes", "--as", "grace", "add-risk-bot"])
    }

    @Test func aBotsAllowedMessageIsSignedOnceAndADeniedOneNever() async throws {
        let cluster = try LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }
        try await solanaVaultAndRiskBot(cluster)
        _ = try await cluster.waitForGovernance(seconds: 60) { g in
            g.bots.contains { $0.id == "risk-bot" } && g.vaults.first?.status == "active"
        }
        let bot = cluster.root.appendingPathComponent("credentials/risk-bot.bot.json").path
        let message = Array("venue login challenge 8f2a91".utf8)
        func submit(_ name: String, _ hex: String) throws -> String {
            let body = cluster.root.appendingPathComponent("\(name).json")
            try Data("""
                {"kind": "message", "id": "\(name)", "initiator": "risk-bot", "vault": "sol-treasury",
                 "message": {"format": "raw", "hex": "\(hex)"}}
                """.utf8).write(to: body)
            let out = try LocalCluster.run(cluster.binary, ["request", "submit", "--gateway", cluster.baseURL, "--bot", bot, body.path])
            return try #require(out.split(separator: "\n").first { $0.hasPrefix("request ") }.map { String($0.dropFirst(8)) })
        }
        let allowed = try submit("login-1", message.hexString)
        // Over 256 bytes: no allow rule covers it, so it is denied and never signed.
        let denied = try submit("login-2", Array(repeating: UInt8(0x41), count: 300).hexString)
        let statuses = try await cluster.waitForGovernance(seconds: 90) { g in
            g.requests.first { $0.id == allowed }?.signing?.status == "signed" && g.requests.contains { $0.id == denied }
        }
        let reference = try #require(statuses["node-1"]?.governance)
        for (id, status) in statuses {
            #expect(status.stateDigests.last == statuses["node-1"]!.stateDigests.last, "\(id) disagrees")
        }
        let signing = try #require(reference.requests.first { $0.id == allowed }?.signing)
        #expect(signing.message == message.hexString, "every node derived the raw message itself")
        #expect(signing.signers.count == 3)
        #expect(reference.requests.first { $0.id == denied }?.outcome == "deny")
        #expect(reference.requests.first { $0.id == denied }?.signing == nil)
        let key = try #require(reference.vaults.first?.publicKey)
        let verdicts = try PythonPeer.call("signature_verify_peer.py", Verify(ed25519: [
            .init(key: key, message: message.hexString, signature: try #require(signing.signature)),
            .init(key: key, message: Array("another message".utf8).hexString, signature: signing.signature!),
        ]), as: Verdicts.self)
        #expect(verdicts.ed25519 == [true, false], "PyNaCl verifies the vault's signature, and only for its message")
        // The CLI shows it; every signer keeps a pool of sealed nonce pairs for the next requests.
        let shown = try LocalCluster.run(cluster.binary, ["request", "show", "--gateway", cluster.baseURL, allowed])
        #expect(shown.contains(signing.signature!))
        for signer in signing.signers {
            let database = try cluster.openNodeDatabase(signer)
            #expect(try database.secretIDs(kind: .frostNonce).count >= 1, "\(signer) keeps a pool")
        }
        let shownVault = try JSONDecoder().decode(VaultView.self, from: Data(try cluster.vaultOutput(["show", "--json", "sol-treasury"]).utf8))
        #expect(shownVault.pools.count == 4 && shownVault.pools.values.reduce(0, +) > 0, "the pools' depth is shown: \(shownVault.pools)")
        passed = true
    }
}

extension VaultSigningLoopbackTests {
    /// A signer that crashes right after recording its nonce's use (before its share leaves it)
    /// restarts without signing with that nonce again — its database refuses — and the request
    /// completes with another signer set once the attempt's deadline has passed.
    @Test func aSignerCrashingMidSigningNeverReusesItsNonceAndTheRequestCompletes() async throws {
        let cluster = try LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs {
            try cluster.startNode(id, extraArguments: id == "node-1" ? ["--unsafe-test-exit-after-recording-nonce-use"] : [])
        }
        try await solanaVaultAndRiskBot(cluster)
        // Every node has nonces in the pool, so the first attempt's signers are node-1, -2, -3.
        _ = try await cluster.waitForGovernance(seconds: 60) { g in
            g.bots.contains { $0.id == "risk-bot" } && (g.vaults.first?.pools.values.filter { $0 > 0 }.count ?? 0) == 4
        }
        let body = cluster.root.appendingPathComponent("login.json")
        try Data("""
            {"kind": "message", "id": "login-1", "initiator": "risk-bot", "vault": "sol-treasury",
             "message": {"format": "raw", "hex": "\(Array("venue login challenge 77".utf8).hexString)"}}
            """.utf8).write(to: body)
        let out = try LocalCluster.run(cluster.binary, ["request", "submit", "--gateway", cluster.baseURL, "--bot",
                                                        cluster.root.appendingPathComponent("credentials/risk-bot.bot.json").path, body.path])
        let request = try #require(out.split(separator: "\n").first { $0.hasPrefix("request ") }.map { String($0.dropFirst(8)) })
        #expect(try await cluster.waitForExit("node-1", seconds: 60) == NodeFaultInjection.exitStatus)
        try cluster.startNode("node-1")
        let statuses = try await cluster.waitForGovernance(seconds: 150) { g in
            g.requests.first { $0.id == request }?.signing?.status == "signed"
        }
        let signing = try #require(statuses["node-2"]?.governance?.requests.first { $0.id == request }?.signing)
        #expect(signing.attempt >= 1 && !signing.signers.contains("node-1"), "completed by another signer set: \(signing.signers)")
        #expect(cluster.log("node-1").contains("already used"), "the restarted node's database refused the nonce it had used")
        passed = true
    }
}
