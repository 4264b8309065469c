import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosNode
import CustosSigning
import CustosTestSupport
import Foundation
import Testing

extension VaultSigningLoopbackTests {
    /// Proactive refresh through the real processes: an ECDSA and a FROST vault are refreshed by
    /// the governed operation (`custos vault refresh`); every node deals over the relay and
    /// confirms the transcript in the log, the vaults move to epoch 1 with the same key, chain
    /// code and addresses, every node's stored share changed and its old share and old pooled
    /// secrets are gone from its database, and requests signed after the refresh verify under
    /// the same key with eth-account and PyNaCl.
    @Test func refreshingAnECDSAAndAFROSTVaultChangesEveryShareAndKeepsTheAddresses() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        var statuses = try await ecdsaAndFROSTVaults(cluster) { g in g.vaults.allSatisfy { $0.pools.values.filter { $0 > 0 }.count >= 3 } }
        let before = try #require(statuses["node-1"]?.governance?.vaults)
        var oldShares: [String: [String: [UInt8]]] = [:]
        var oldPooled: [String: Set<[UInt8]>] = [:]
        for id in cluster.nodeIDs {
            let database = try cluster.openNodeDatabase(id)
            for v in before {
                let share = try database.secret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: v.id, epoch: 0))
                oldShares[id, default: [:]][v.id] = try #require(share, "\(id) holds a share of \(v.id)").unsafeCopyBytes()
            }
            oldPooled[id] = Set(try database.secretIDs(kind: .presignature) + database.secretIDs(kind: .frostNonce))
        }
        #expect(oldPooled.values.contains { !$0.isEmpty }, "the nodes pool presignatures and nonces before the refresh")

        for v in before {
            let operation = "refresh-\(v.id)"
            try await cluster.vault(["refresh", "--as", "erin", "--operation-id", operation, v.id])
            _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == operation } }
            try await cluster.op(["approve", "--yes", "--as", "frank", operation])
            _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == operation }?.approvals.count == 1 }
            try await cluster.op(["approve", "--yes", "--as", "grace", operation])
        }
        statuses = try await cluster.waitForGovernance(seconds: 180) { g in
            g.vaults.allSatisfy { $0.keyEpoch == 1 && $0.refreshes?.last?.status == "completed" }
        }
        let after = try #require(statuses["node-1"]?.governance?.vaults)
        for (old, new) in zip(before, after) {
            #expect(new.publicKey == old.publicKey && new.chainCode == old.chainCode, "\(new.id) keeps its key")
            #expect(new.addresses == old.addresses, "\(new.id) keeps its addresses")
            let r = try #require(new.refreshes?.last)
            #expect(r.fromEpoch == 0 && r.epoch == 1 && r.transcriptDigest != nil)
            #expect(r.participants.allSatisfy { $0.softwareVersion == CustosVersion.current && $0.dealingDigest != nil && $0.confirmedAt != nil })
        }
        // Every node stored a new share and deleted the old one and its old pooled secrets (it
        // does so as it adopts the state that completed the refresh: wait for it, bounded).
        for id in cluster.nodeIDs {
            let database = try cluster.openNodeDatabase(id)
            let deadline = ContinuousClock.now + .seconds(30)
            func superseded() throws -> Bool {
                try before.allSatisfy { try database.secret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: $0.id, epoch: 0)) == nil }
                    && Set(try database.secretIDs(kind: .presignature) + database.secretIDs(kind: .frostNonce)).isDisjoint(with: oldPooled[id]!)
            }
            while try !superseded(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
            #expect(try superseded(), "\(id) deleted its old shares and every old presignature and nonce")
            for v in after {
                let share = try #require(try database.secret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: v.id, epoch: 1)),
                                         "\(id) holds a refreshed share of \(v.id)")
                #expect(share.unsafeCopyBytes() != oldShares[id]![v.id]!, "\(id)'s share of \(v.id) changed")
            }
        }
        // Requests signed after the refresh verify under the same key.
        func submit(_ name: String, _ vault: String, _ message: String) async throws -> String {
            try await submitMessage(cluster, name, vault: vault, message)
        }
        let text = "Meridian Capital withdrawal authorisation: 250000 USDC to kraken, ref 5120"
        let raw = Array("venue login challenge after refresh".utf8)
        let personal = try await submit("auth-refreshed", "hot-trading", #"{"format": "eip191", "text": "\#(text)"}"#)
        let login = try await submit("login-refreshed", "sol-treasury", #"{"format": "raw", "hex": "\#(raw.hexString)"}"#)
        statuses = try await cluster.waitForGovernance(seconds: 180) { g in
            [personal, login].allSatisfy { id in g.requests.first { $0.id == id }?.signing?.status == "signed" }
        }
        let reference = try #require(statuses["node-1"]?.governance)
        let address = try #require(after.first { $0.id == "hot-trading" }?.addresses.first { $0.chain == "evm" }?.address)
        let recovered = try await PythonPeer.call("signature_verify_peer.py", Recover(
            eip191: [.init(message: Array(text.utf8).hexString,
                           signature: try #require(reference.requests.first { $0.id == personal }?.signing?.signature))], eip712: []),
            as: Recovered.self)
        #expect(recovered.eip191 == [address], "eth-account recovers the unchanged address \(address)")
        let key = try #require(after.first { $0.id == "sol-treasury" }?.publicKey)
        let verdicts = try await PythonPeer.call("signature_verify_peer.py", Verify(ed25519: [
            .init(key: key, message: raw.hexString, signature: try #require(reference.requests.first { $0.id == login }?.signing?.signature)),
        ]), as: Verdicts.self)
        #expect(verdicts.ed25519 == [true], "PyNaCl verifies the signature under the unchanged key")
        let shown = try await cluster.vaultOutput(["show", "hot-trading"])
        #expect(shown.contains("refresh") && shown.contains("epoch 0 -> 1, completed"))
        passed = true
    }

    /// Starts `cluster` (gateway and four nodes) with the ECDSA vault `hot-trading`, the Ed25519
    /// vault `sol-treasury` and the risk bot, all through governance; returns once every node's
    /// state has both vaults active and satisfies `condition`.
    func ecdsaAndFROSTVaults(
        _ cluster: LocalCluster, until condition: @escaping (GovernanceSnapshot) -> Bool = { _ in true }
    ) async throws -> [String: NodeStatusView] {
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }
        try await vaultAndRiskBot(cluster, "hot-trading", "ecdsa-secp256k1")
        try await VaultLoopbackTests().create(cluster, "sol-treasury", "frost-ed25519", operation: "create-sol-treasury")
        return try await cluster.waitForGovernance(seconds: 180) { g in
            g.bots.contains { $0.id == "risk-bot" } && g.vaults.count == 2 && g.vaults.allSatisfy { $0.status == "active" } && condition(g)
        }
    }
}
