import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosNode
import CustosNodeService
import CustosPolicy
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// Vault key ceremonies through the real processes: a gateway and four signer nodes on
/// loopback, each node holding its key share sealed in its own database. Vaults are created by
/// the governed operation (erin proposes with `custos vault create`, frank and grace approve);
/// the nodes generate each key among themselves over the relay, commit their packages and
/// confirmations, and every node ends with the same vault and transcript.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct VaultLoopbackTests {
    static let vaults: [(id: String, scheme: String)] = [
        ("hot-trading", "ecdsa-secp256k1"), ("btc-treasury", "frost-taproot"), ("sol-treasury", "frost-ed25519"),
    ]

    func create(_ cluster: LocalCluster, _ id: String, _ scheme: String, operation: String) async throws {
        try await cluster.vault(["create", "--as", "erin", "--operation-id", operation, "--scheme", scheme, "--environment", "development",
                           "--label", "Test \(id)", id])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == operation } }
        try await cluster.op(["approve", "--yes", "--as", "frank", operation])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == operation }?.approvals.count == 1 }
        try await cluster.op(["approve", "--yes", "--as", "grace", operation])
    }

    @Test func theNodesGenerateAVaultOfEachSchemeAndEachKeepsItsShareSealed() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }
        for v in Self.vaults { try await create(cluster, v.id, v.scheme, operation: "create-\(v.id)") }
        let statuses = try await cluster.waitForGovernance(seconds: 120) { g in
            g.vaults.count == 3 && g.vaults.allSatisfy { $0.status == "active" }
        }
        let reference = try #require(statuses["node-1"]?.governance)
        // The pools keep filling in the background, so nodes may be a block or more apart at this
        // instant: where two have a height, they agree on its state; the vaults agree but for
        // their pools.
        let common = statuses.values.map(\.stateDigests.count).min() ?? 0
        let settled = { (vaults: [VaultView]) in
            vaults.map { v -> VaultView in
                var v = v
                v.pools = [:]
                v.presigningBatches = nil
                return v
            }
        }
        for (id, status) in statuses {
            #expect(status.stateDigests.prefix(common) == statuses["node-1"]!.stateDigests.prefix(common), "\(id) disagrees")
            #expect(settled(status.governance?.vaults ?? []) == settled(reference.vaults), "\(id)")
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
        let show = try await cluster.vaultOutput(["show", "sol-treasury"])
        #expect(show.contains("frost-ed25519") && show.contains("node-4") && show.contains(CustosVersion.current))
        let list = try await cluster.vaultOutput(["list", "--json"])
        #expect(try JSONDecoder().decode([VaultView].self, from: Data(list.utf8)).count == 3)
        let export = cluster.root.appendingPathComponent("chain.export")
        _ = try await LocalCluster.run(cluster.binary, ["node", "export", "--data", cluster.nodeData("node-2").path, "--cluster",
                                                  cluster.clusterFile.path, "--out", export.path])
        _ = try await LocalCluster.run(cluster.binary, ["audit", "verify", export.path])
        passed = true
    }

    @Test func aNodeSendingAWrongShareIsNamedAndLeftOutOfTheNextCeremony() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
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
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
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

    /// What eth-account recovers from EIP-191 and EIP-712 signatures.
    struct Recover: Codable {
        struct Personal: Codable {
            var message: String
            var signature: String
        }
        struct Typed: Codable {
            var typedData: String
            var signature: String
        }
        var eip191: [Personal]
        var eip712: [Typed]
    }

    struct Recovered: Codable {
        var eip191: [String]
        var eip712: [String]
    }

    /// Creates the Ed25519 vault `sol-treasury` and registers the risk bot, both through
    /// governance (erin proposes, frank and grace approve).
    func solanaVaultAndRiskBot(_ cluster: LocalCluster) async throws {
        try await vaultAndRiskBot(cluster, "sol-treasury", "frost-ed25519")
    }

    /// Creates vault `id` of `scheme` and registers the risk bot, both through governance.
    func vaultAndRiskBot(_ cluster: LocalCluster, _ id: String, _ scheme: String) async throws {
        try await VaultLoopbackTests().create(cluster, id, scheme, operation: "create-\(id)")
        try await addBot(cluster, "risk-bot", role: "risk-bot")
    }

    /// Registers bot `id` with `role` through governance; its key file is `credentials/ID.bot.json`.
    func addBot(_ cluster: LocalCluster, _ id: String, role: String) async throws {
        try await cluster.op(["propose", "--as", "erin", "--id", "add-\(id)", "add-bot", id, role])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "add-\(id)" } }
        try await cluster.op(["approve", "--yes", "--as", "frank", "add-\(id)"])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-\(id)" }?.approvals.count == 1 }
        try await cluster.op(["approve", "--yes", "--as", "grace", "add-\(id)"])
    }

    /// The cluster that the tests injecting no fault share (`VaultSharedClusterLoopbackTests`),
    /// made once per run of that suite: a
    /// gateway and four nodes, node-4 without its policy check (`--unsafe-test-sign-anything`:
    /// it signs what its state denies, and its peers must ignore it), every node with a monitor
    /// port; the Ed25519 vault `sol-treasury` and the ECDSA vault `hot-trading`, both with nonces
    /// or presignatures pooled on every node, and the risk bot. A test that stops a node starts
    /// it again before it ends.
    static let shared = SharedInTurn<LocalCluster>(make: { try await VaultSigningLoopbackTests().makeSharedCluster() },
                                                   end: { cluster, keepData in cluster.stopAll(removeData: !keepData) })

    func makeSharedCluster() async throws -> LocalCluster {
        let cluster = try await LocalCluster(nodeCount: 4, policy: Self.sharedPolicy())
        do {
            try await cluster.startGateway()
            for id in cluster.nodeIDs { try startSharedNode(cluster, id) }
            try await VaultLoopbackTests().create(cluster, "sol-treasury", "frost-ed25519", operation: "create-sol-treasury")
            try await vaultAndRiskBot(cluster, "hot-trading", "ecdsa-secp256k1")
            _ = try await cluster.waitForGovernance(seconds: 180) { g in
                g.bots.contains { $0.id == "risk-bot" } && g.vaults.count == 2
                    && g.vaults.allSatisfy { $0.status == "active" && $0.pools.values.filter { $0 > 0 }.count == 4 }
            }
            return cluster
        } catch {
            cluster.stopAll(removeData: false)
            throw error
        }
    }

    /// Starts `id` of the shared cluster with its arguments (again, after a test stopped it).
    func startSharedNode(_ cluster: LocalCluster, _ id: String) throws {
        try cluster.startNode(id, extraArguments: ["--monitor-port", "0", "--monitor-port-file", cluster.root.appendingPathComponent("\(id).monitor").path]
                              + (id == "node-4" ? ["--unsafe-test-sign-anything"] : []))
    }

    /// Runs `body` on the shared cluster; if it throws, the cluster's data is kept.
    func withSharedCluster(_ body: (LocalCluster) async throws -> Void) async throws {
        let cluster = try await Self.shared.value()
        do {
            try await body(cluster)
        } catch {
            await Self.shared.keepData()
            throw error
        }
    }

    /// `custos inventory` (table, `--json`, `--csv`) and `GET /v1/inventory` list every key of a
    /// running cluster from its committed state: each vault key with its ceremony transcript and
    /// holders, each node's identity and transport keys, each bot's key (the rebalancer's rotated by
    /// `custos op propose rotate-bot-key`, so its last rotation is the operation's block time) and
    /// every person's credential with its model; no key is overdue, and the gateway's metrics say so.
    func inventory(_ cluster: LocalCluster) async throws {
        try await addBot(cluster, "rebalancer", role: "rebalancer-bot")
        _ = try await cluster.waitForGovernance(seconds: 60) { g in g.bots.contains { $0.id == "rebalancer" } }
        let before = try JSONDecoder().decode(KeyInventory.self, from: try await cluster.get("/v1/inventory").body)
        let registered = try #require(before.keys.first { $0.kind == .bot && $0.owner == "rebalancer" })
        try await cluster.op(["propose", "--as", "erin", "--id", "rotate-rebalancer", "rotate-bot-key", "rebalancer"])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "rotate-rebalancer" } }
        try await cluster.op(["approve", "--yes", "--as", "frank", "rotate-rebalancer"])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "rotate-rebalancer" }?.approvals.count == 1 }
        try await cluster.op(["approve", "--yes", "--as", "grace", "rotate-rebalancer"])
        let statuses = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "rotate-rebalancer" }?.status == "executed" }
        #expect(FileManager.default.fileExists(atPath: cluster.credentialFile("rebalancer.rotate-rebalancer.bot").path))
        let executedAt = try #require(statuses["node-1"]?.governance?.operations.first { $0.id == "rotate-rebalancer" }?.decidedAt)

        let json = try await LocalCluster.run(cluster.binary, ["inventory", "--gateway", cluster.baseURL, "--json"])
        let inventory = try JSONDecoder().decode(KeyInventory.self, from: Data(json.utf8))
        #expect(inventory.keys.map(\.kind).filter { $0 == .nodeIdentity }.count == 4)
        #expect(inventory.keys.map(\.kind).filter { $0 == .nodeTransport }.count == 4)
        // The offline-signing test may have made its vault on this shared cluster before.
        #expect(inventory.keys.filter { $0.kind == .vault && $0.owner != Self.offlineVault }.map(\.owner).sorted() == ["hot-trading", "sol-treasury"])
        let vault = try #require(inventory.keys.first { $0.kind == .vault && $0.owner == "sol-treasury" })
        let view = try #require(statuses["node-1"]?.governance?.vaults.first { $0.id == "sol-treasury" })
        #expect(vault.algorithm == "frost-ed25519" && vault.environment == "development")
        #expect(vault.holders == cluster.nodeIDs)
        #expect(vault.details["ceremony-transcript"] == view.transcriptDigest)
        // The example policy makes the Solana treasury's key critical: a refresh every 180 days.
        #expect(vault.keyClass == .critical && vault.rotation == .current)
        #expect(vault.rotationDueAt == vault.createdAt.map { $0 + 180 * 86_400_000 })
        #expect(inventory.keys.filter { $0.kind == .bot }.map(\.owner).sorted() == ["rebalancer", "risk-bot"])
        let bot = try #require(inventory.keys.first { $0.kind == .bot && $0.owner == "rebalancer" })
        #expect(bot.createdAt == registered.createdAt)
        #expect(bot.lastRotatedAt == executedAt && bot.fingerprint != registered.fingerprint)
        #expect(bot.rotation == .current)
        let people = Set(inventory.keys.filter { $0.kind == .credential }.map(\.owner))
        let users = statuses["node-1"]?.governance?.users ?? []
        #expect(people == Set(users.filter { $0.active && !$0.credentials.isEmpty }.map(\.id)) && people.isSuperset(of: ["erin", "frank", "grace"]))
        #expect(inventory.keys.filter { $0.kind == .credential }.allSatisfy { $0.details["model"] == "Custos development software credential" })
        #expect(inventory.keys.first { $0.kind == .credential && $0.owner == "grace" }?.lastUsedAt != nil)
        #expect(inventory.overdue.isEmpty)

        let table = try await LocalCluster.run(cluster.binary, ["inventory", "--gateway", cluster.baseURL])
        #expect(table.contains("KIND") && table.contains("sol-treasury") && table.contains("rebalancer") && !table.contains("OVERDUE"))
        let csv = try await LocalCluster.run(cluster.binary, ["inventory", "--gateway", cluster.baseURL, "--csv"])
        let rows = csv.split(separator: "\n")
        #expect(rows.first?.hasPrefix("KIND,OWNER,ALGORITHM") == true)
        #expect(rows.count == inventory.keys.count + 1)
        let metrics = String(decoding: try await cluster.get("/metrics").body, as: UTF8.self)
        #expect(metrics.contains("custos_gateway_keys_rotation_overdue 0") && metrics.contains("custos_gateway_keys_past_grace 0"))
    }

    /// node-4 runs with its policy check gone (`--unsafe-test-sign-anything`): it signs the denied
    /// request anyway and sends its share to two peers, whose logs started no such session.
    func allowedAndDenied(_ cluster: LocalCluster) async throws {
        let peers = ["node-1", "node-2", "node-3"]
        var ignoredBefore = 0
        for id in peers { ignoredBefore += try await cluster.metric(id, "custos_node_vault_relay_messages_ignored_total") }
        let bot = cluster.root.appendingPathComponent("credentials/risk-bot.bot.json").path
        let message = Array("venue login challenge 8f2a91".utf8)
        func submit(_ name: String, _ hex: String) async throws -> String {
            let body = cluster.root.appendingPathComponent("\(name).json")
            try Data("""
                {"kind": "message", "id": "\(name)", "initiator": "risk-bot", "vault": "sol-treasury",
                 "message": {"format": "raw", "hex": "\(hex)"}}
                """.utf8).write(to: body)
            let out = try await LocalCluster.run(cluster.binary, ["request", "submit", "--gateway", cluster.baseURL, "--bot", bot, body.path])
            return try #require(out.split(separator: "\n").first { $0.hasPrefix("request ") }.map { String($0.dropFirst(8)) })
        }
        let allowed = try await submit("login-1", message.hexString)
        // Over 256 bytes: no allow rule covers it, so it is denied and never signed.
        let denied = try await submit("login-2", Array(repeating: UInt8(0x41), count: 300).hexString)
        let statuses = try await cluster.waitForGovernance(seconds: 90) { g in
            g.requests.first { $0.id == allowed }?.signing?.status == "signed" && g.requests.contains { $0.id == denied }
        }
        let reference = try #require(statuses["node-1"]?.governance)
        // The pools keep the log moving: compare the nodes at the highest height they all reached.
        let common = statuses.values.compactMap { $0.stateDigests.last?.height }.min()
        let digests = statuses.values.compactMap { s in s.stateDigests.first { $0.height == common }?.digest }
        #expect(digests.count == statuses.count && Set(digests).count == 1, "the nodes disagree at height \(common ?? 0)")
        let signing = try #require(reference.requests.first { $0.id == allowed }?.signing)
        #expect(signing.message == message.hexString, "every node derived the raw message itself")
        #expect(signing.signers.count == 3)
        #expect(reference.requests.first { $0.id == denied }?.outcome == "deny")
        #expect(reference.requests.first { $0.id == denied }?.signing == nil)
        // The rogue node's shares for the denied request reach its peers, which ignore them: no
        // session, no signature.
        var ignored = 0
        for _ in 0..<300 where ignored == 0 {
            for id in peers { ignored += try await cluster.metric(id, "custos_node_vault_relay_messages_ignored_total") }
            ignored -= ignoredBefore
            if ignored == 0 { try await Task.sleep(for: .milliseconds(100)) }
        }
        let rogue = cluster.log("node-4").split(separator: "\n").contains { $0.contains("signing a request this node's state refuses") && $0.contains(denied) }
        #expect(ignored >= 1 && rogue, "the rogue share was sent and ignored")
        let after = try await cluster.waitForGovernance { g in g.requests.contains { $0.id == denied } }
        #expect(after.values.allSatisfy { $0.governance?.requests.first { $0.id == denied }?.signing == nil }, "nothing signs the denied request")
        let key = try #require(reference.vaults.first { $0.id == "sol-treasury" }?.publicKey)
        let verdicts = try await PythonPeer.call("signature_verify_peer.py", Verify(ed25519: [
            .init(key: key, message: message.hexString, signature: try #require(signing.signature)),
            .init(key: key, message: Array("another message".utf8).hexString, signature: signing.signature!),
        ]), as: Verdicts.self)
        #expect(verdicts.ed25519 == [true, false], "PyNaCl verifies the vault's signature, and only for its message")
        // The CLI shows it; every signer keeps a pool of sealed nonce pairs for the next requests.
        let shown = try await LocalCluster.run(cluster.binary, ["request", "show", "--gateway", cluster.baseURL, allowed])
        #expect(shown.contains(signing.signature!))
        for signer in signing.signers {
            let database = try cluster.openNodeDatabase(signer)
            #expect(try database.secretIDs(kind: .frostNonce).count >= 1, "\(signer) keeps a pool")
        }
        let shownVault = try JSONDecoder().decode(VaultView.self, from: Data(try await cluster.vaultOutput(["show", "--json", "sol-treasury"]).utf8))
        #expect(shownVault.pools.count == 4 && shownVault.pools.values.reduce(0, +) > 0, "the pools' depth is shown: \(shownVault.pools)")
    }
}

extension VaultSigningLoopbackTests {
    /// A signer that crashes right after recording its nonce's use (before its share leaves it)
    /// restarts without signing with that nonce again — its database refuses — and the request
    /// completes with another signer set once the attempt's deadline (12 s: the policy's
    /// `signing.attempt_timeout`) has passed.
    @Test func aSignerCrashingMidSigningNeverReusesItsNonceAndTheRequestCompletes() async throws {
        let cluster = try await LocalCluster(nodeCount: 4, policy: LocalCluster.exampleWithShortSigningAttempts())
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
        let out = try await LocalCluster.run(cluster.binary, ["request", "submit", "--gateway", cluster.baseURL, "--bot",
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

extension VaultSigningLoopbackTests {
    /// A Permit2 `PermitSingle` for the Uniswap router, within the example policy's limit.
    static let permit = """
        {"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "chainId", "type": "uint256"},
                                    {"name": "verifyingContract", "type": "address"}],
                   "PermitDetails": [{"name": "token", "type": "address"}, {"name": "amount", "type": "uint160"},
                                     {"name": "expiration", "type": "uint48"}, {"name": "nonce", "type": "uint48"}],
                   "PermitSingle": [{"name": "details", "type": "PermitDetails"}, {"name": "spender", "type": "address"},
                                    {"name": "sigDeadline", "type": "uint256"}]},
         "primaryType": "PermitSingle",
         "domain": {"name": "Permit2", "chainId": 1, "verifyingContract": "0x000000000022D473030F116dDEE9F6B43aC78BA3"},
         "message": {"details": {"token": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "amount": "250000000000",
                                 "expiration": 1900000000, "nonce": 7},
                     "spender": "0x0a9a15d91832ac6562b81934c847b8a31ad187b5", "sigDeadline": "1900000000"}}
        """

    /// The ECDSA vault: presignature pools filled by the nodes over the relay, one round to sign.
    /// eth-account recovers the vault's EVM address from its EIP-191 and EIP-712 signatures; a
    /// message the policy denies is never signed; with one node down, the three others sign.
    func ecdsaSigning(_ cluster: LocalCluster) async throws {
        func submit(_ name: String, _ message: String) async throws -> String { try await submitMessage(cluster, name, message) }
        let text = "Meridian Capital withdrawal authorisation: 250000 USDC to kraken, ref 4411"
        let personal = try await submit("auth-1", #"{"format": "eip191", "text": "\#(text)"}"#)
        let typed = try await submit("permit-1", #"{"format": "eip712", "typedData": \#(Self.permit)}"#)
        // Without the fixed prefix no allow rule covers it: denied, never signed.
        let denied = try await submit("auth-2", #"{"format": "eip191", "text": "send everything to 0xdead"}"#)
        var statuses = try await cluster.waitForGovernance(seconds: 120) { g in
            [personal, typed].allSatisfy { id in g.requests.first { $0.id == id }?.signing?.status == "signed" }
                && g.requests.contains { $0.id == denied }
        }
        var reference = try #require(statuses["node-1"]?.governance)
        // The pools keep the log moving: compare the nodes at the highest height they all reached.
        let common = statuses.values.compactMap { $0.stateDigests.last?.height }.min()
        let digests = statuses.values.compactMap { s in s.stateDigests.first { $0.height == common }?.digest }
        #expect(digests.count == statuses.count && Set(digests).count == 1, "the nodes disagree at height \(common ?? 0)")
        #expect(reference.requests.first { $0.id == denied }?.outcome == "deny")
        #expect(reference.requests.first { $0.id == denied }?.signing == nil)
        let address = try #require(reference.vaults.first { $0.id == "hot-trading" }?.addresses.first { $0.chain == "evm" }?.address)
        let signatures = try [personal, typed].map { id in try #require(reference.requests.first { $0.id == id }?.signing?.signature) }
        let recovered = try await PythonPeer.call("signature_verify_peer.py", Recover(
            eip191: [.init(message: Array(text.utf8).hexString, signature: signatures[0])],
            eip712: [.init(typedData: Self.permit, signature: signatures[1])]), as: Recovered.self)
        #expect(recovered.eip191 == [address] && recovered.eip712 == [address],
                "eth-account recovers the vault's address \(address): \(recovered)")

        // node-1 goes down: attempts whose presignature needs it run out, and another signer set signs.
        // It comes back for the other tests of the shared cluster.
        cluster.killNode("node-1", signal: SIGKILL)
        var restarted = false
        defer { if !restarted { try? startSharedNode(cluster, "node-1") } }
        let later = try await submit("auth-3", #"{"format": "eip191", "text": "\#(text) (second)"}"#)
        statuses = try await cluster.waitForGovernance(["node-2", "node-3", "node-4"], seconds: 240) { g in
            g.requests.first { $0.id == later }?.signing?.status == "signed"
        }
        reference = try #require(statuses["node-2"]?.governance)
        let signing = try #require(reference.requests.first { $0.id == later }?.signing)
        #expect(!signing.signers.contains("node-1"), "signed by \(signing.signers)")
        await #expect(try recoversAddress(address, text: "\(text) (second)", signature: signing.signature))
        // node-1 back and caught up, for the other tests of the shared cluster.
        try startSharedNode(cluster, "node-1")
        restarted = true
        _ = try await cluster.waitForGovernance(seconds: 120) { g in g.requests.first { $0.id == later }?.signing?.status == "signed" }
    }
}

extension VaultSigningLoopbackTests {
    /// A signer that sends wrong signature shares (its key share is honest) is proven wrong in
    /// the log with its signed envelope and the presigning transcript, left out of the vault's
    /// signer sets, and the request completes with the others; eth-account recovers the address.
    @Test func aNodeSendingWrongECDSASharesIsNamedExcludedAndTheRequestCompletes() async throws {
        let cluster = try await ecdsaCluster(faults: ["node-3": ["--unsafe-test-corrupt-signature-shares"]]) { g in
            (g.vaults.first?.pools.values.filter { $0 > 0 }.count ?? 0) == 4
        }
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        let text = "Meridian Capital withdrawal authorisation: 90000 USDT to binance, ref 5120"
        let request = try await submitMessage(cluster, "auth-1", #"{"format": "eip191", "text": "\#(text)"}"#)
        let statuses = try await cluster.waitForGovernance(seconds: 150) { g in
            g.requests.first { $0.id == request }?.signing?.status == "signed"
        }
        let reference = try #require(statuses["node-1"]?.governance)
        let signing = try #require(reference.requests.first { $0.id == request }?.signing)
        // The pool's oldest presignatures come from the first two batches, and both include node-3.
        #expect(signing.blames.map(\.culprit) == ["node-3"], "\(signing.blames.map(\.reason))")
        #expect(!signing.signers.contains("node-3") && signing.attempt >= 1)
        #expect(reference.vaults.first?.excluded == ["node-3"])
        let address = try #require(reference.vaults.first?.addresses.first { $0.chain == "evm" }?.address)
        await #expect(try recoversAddress(address, text: text, signature: signing.signature))
        // The exclusion lasts until the quorum readmits the node (`custos vault readmit`).
        let vault = try #require(reference.vaults.first?.id)
        try await cluster.vault(["readmit", "--as", "erin", "--operation-id", "readmit-node-3", vault, "node-3"])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "readmit-node-3" } }
        try await cluster.op(["approve", "--yes", "--as", "frank", "readmit-node-3"])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "readmit-node-3" }?.approvals.count == 1 }
        #expect(try await cluster.waitForGovernance { _ in true }.values.allSatisfy { $0.governance?.vaults.first?.excluded == ["node-3"] })
        try await cluster.op(["approve", "--yes", "--as", "grace", "readmit-node-3"])
        _ = try await cluster.waitForGovernance { g in g.vaults.first?.excluded == nil }
        passed = true
    }
}

extension VaultSigningLoopbackTests {
    /// A signer dealing wrong presigning shares breaks the runs it takes part in; the signers show
    /// their evidence in the log, every node names it, it is left out of new batches, and the
    /// request is signed by the others.
    @Test func aNodeDealingWrongPresigningSharesIsNamedExcludedAndTheOthersSign() async throws {
        let cluster = try await ecdsaCluster(faults: ["node-3": ["--unsafe-test-corrupt-presign-shares"]]) { g in
            g.vaults.first?.excluded == ["node-3"] && (g.vaults.first?.pools.values.filter { $0 > 0 }.count ?? 0) == 3
        }
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        var statuses = try await cluster.waitForGovernance { _ in true }
        let vault = try #require(statuses["node-1"]?.governance?.vaults.first)
        let blames = try #require(vault.presigningBlames)
        #expect(blames.allSatisfy { $0.culprits == ["node-3"] }, "\(blames.map(\.reason))")
        let text = "Meridian Capital withdrawal authorisation: 12000 USDC to coinbase, ref 6002"
        let request = try await submitMessage(cluster, "auth-1", #"{"format": "eip191", "text": "\#(text)"}"#)
        statuses = try await cluster.waitForGovernance(seconds: 120) { g in g.requests.first { $0.id == request }?.signing?.status == "signed" }
        let signing = try #require(statuses["node-1"]?.governance?.requests.first { $0.id == request }?.signing)
        #expect(signing.signers == ["node-1", "node-2", "node-4"])
        let address = try #require(vault.addresses.first { $0.chain == "evm" }?.address)
        await #expect(try recoversAddress(address, text: text, signature: signing.signature))
        passed = true
    }
}

extension VaultSigningLoopbackTests {
    /// The risk bot submits message request `name` to `vault` (`message`: the request's `message`
    /// member, JSON); returns the request id.
    func submitMessage(_ cluster: LocalCluster, _ name: String, vault: String = "hot-trading", _ message: String) async throws -> String {
        let body = cluster.root.appendingPathComponent("\(name).json")
        try Data("""
            {"kind": "message", "id": "\(name)", "initiator": "risk-bot", "vault": "\(vault)", "message": \(message)}
            """.utf8).write(to: body)
        let out = try await LocalCluster.run(cluster.binary, ["request", "submit", "--gateway", cluster.baseURL, "--bot",
                                                        cluster.root.appendingPathComponent("credentials/risk-bot.bot.json").path, body.path])
        return try #require(out.split(separator: "\n").first { $0.hasPrefix("request ") }.map { String($0.dropFirst(8)) })
    }

    /// Whether eth-account recovers `address` from `signature` of the EIP-191 message `text`.
    func recoversAddress(_ address: String, text: String, signature: String?) async throws -> Bool {
        let recovered = try await PythonPeer.call("signature_verify_peer.py", Recover(
            eip191: [.init(message: Array(text.utf8).hexString, signature: try #require(signature))], eip712: []), as: Recovered.self)
        return recovered.eip191 == [address]
    }

    /// A four-node cluster with an ECDSA vault `hot-trading` and the risk bot, once every node's
    /// state satisfies `condition`; `faults` are extra arguments per node. Stopped (its data kept)
    /// if it does not get there.
    func ecdsaCluster(faults: [String: [String]] = [:], until condition: @escaping (GovernanceSnapshot) -> Bool) async throws -> LocalCluster {
        let cluster = try await LocalCluster(nodeCount: 4, policy: LocalCluster.exampleWithShortSigningAttempts())
        do {
            try await cluster.startGateway()
            for id in cluster.nodeIDs { try cluster.startNode(id, extraArguments: faults[id] ?? []) }
            try await vaultAndRiskBot(cluster, "hot-trading", "ecdsa-secp256k1")
            _ = try await cluster.waitForGovernance(seconds: 120) { g in g.bots.contains { $0.id == "risk-bot" } && condition(g) }
            return cluster
        } catch {
            cluster.stopAll(removeData: false)
            throw error
        }
    }
}
