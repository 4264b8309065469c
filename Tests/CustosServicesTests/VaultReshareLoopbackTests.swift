import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosNode
import CustosSigning
import CustosState
import CustosTestSupport
import Foundation
import Testing

extension VaultSigningLoopbackTests {
    /// Replacing a node through the real processes: with an ECDSA and a FROST vault active, the
    /// quorum adds node-0 (`add-member`); every vault is reshared over the relay from the four
    /// holders to the five members, and the membership change is complete (no vault awaiting a
    /// reshare) only then. The quorum then removes node-1 (`remove-member`, node-1 stopped so its
    /// last share stays in its database); the vaults are reshared to node-0, node-2, node-3 and
    /// node-4. The keys and addresses never change, requests signed afterwards with node-0 in the
    /// signer set verify with eth-account and PyNaCl under the unchanged addresses, and node-1's
    /// old share does not combine with the new shares to the group key (a threshold of new ones
    /// does).
    @Test func replacingANodeResharesEveryVaultAndTheNewNodeSigns() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        var statuses = try await ecdsaAndFROSTVaults(cluster)
        let before = try #require(statuses["node-1"]?.governance?.vaults)

        // node-0 joins (its id sorts first, so FROST's first signer set takes it once it pools nonces).
        let request = try await cluster.startJoiningNode("node-0")
        try await cluster.op(["propose", "--as", "erin", "--id", "add-node-0", "add-member", request.path])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "add-node-0" } }
        try await cluster.op(["approve", "--yes", "--as", "frank", "add-node-0"])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-node-0" }?.approvals.count == 1 }
        try await cluster.op(["approve", "--yes", "--as", "grace", "add-node-0"])
        let five = ["node-0"] + cluster.nodeIDs
        statuses = try await cluster.waitForGovernance(five, seconds: 240) { g in
            g.members.count == 5 && g.vaultsAwaitingReshare.isEmpty
                && g.vaults.allSatisfy { $0.keyEpoch == 1 && $0.holders == five && $0.refreshes?.last?.status == "completed" }
        }
        for v in try #require(statuses["node-0"]?.governance?.vaults) {
            let r = try #require(v.refreshes?.last)
            #expect(r.kind == "reshare" && r.operationId == "add-node-0" && r.dealers == cluster.nodeIDs && !v.resharing)
            #expect(r.participants.map(\.node) == five && r.participants.allSatisfy { $0.confirmedAt != nil })
        }

        // node-1 is stopped, then removed: the vaults move to the four remaining members.
        cluster.killNode("node-1", signal: SIGTERM)
        let removedShares = try await sharesAt(cluster, "node-1", vaults: before.map(\.id), epoch: 1)
        try await cluster.op(["propose", "--as", "erin", "--id", "remove-node-1", "remove-member", "node-1"])
        let four = ["node-0", "node-2", "node-3", "node-4"]
        _ = try await cluster.waitForGovernance(four) { g in g.operations.contains { $0.id == "remove-node-1" } }
        try await cluster.op(["approve", "--yes", "--as", "frank", "remove-node-1"])
        _ = try await cluster.waitForGovernance(four) { g in g.operations.first { $0.id == "remove-node-1" }?.approvals.count == 1 }
        try await cluster.op(["approve", "--yes", "--as", "grace", "remove-node-1"])
        statuses = try await cluster.waitForGovernance(four, seconds: 240) { g in
            g.members.map(\.id) == four && g.vaultsAwaitingReshare.isEmpty
                && g.vaults.allSatisfy { $0.keyEpoch == 2 && $0.holders == four && $0.refreshes?.last?.status == "completed" }
                && g.vaults.allSatisfy { ($0.pools["node-0"] ?? 0) > 0 }
        }
        let after = try #require(statuses["node-0"]?.governance?.vaults)
        for (old, new) in zip(before, after) {
            #expect(new.publicKey == old.publicKey && new.chainCode == old.chainCode && new.addresses == old.addresses,
                    "\(new.id) keeps its key and addresses")
        }

        // node-1's old share does not combine with the new ones; a threshold of new ones does.
        var newShares: [String: [String: SecretBytes]] = [:]
        for id in four { newShares[id] = try await sharesAt(cluster, id, vaults: after.map(\.id), epoch: 2) }
        for v in after {
            let scheme = try #require(Vault.Scheme(rawValue: v.scheme))
            let fresh = four.suffix(v.threshold).map { newShares[$0]![v.id]! }
            #expect(try ShareCombination.combines(scheme, sealedShares: fresh), "\(v.id): new shares combine")
            let mixed = [removedShares[v.id]!] + four.suffix(v.threshold - 1).map { newShares[$0]![v.id]! }
            #expect(try !ShareCombination.combines(scheme, sealedShares: mixed),
                    "\(v.id): node-1's old share does not combine with the new ones")
        }

        // Requests signed now verify under the unchanged addresses, node-0 among the signers.
        let raw = Array("venue login challenge after node-0 joined".utf8)
        let login = try await submitMessage(cluster, "login-reshared", vault: "sol-treasury", #"{"format": "raw", "hex": "\#(raw.hexString)"}"#)
        var signed: [(id: String, text: String)] = []
        // A presigning batch (8 runs) has one signer window of 3, and 1 window in 4 leaves node-0
        // out: sign until a request takes a presignature of a window with node-0 (past one batch).
        for attempt in 0..<20 {
            let text = "Meridian Capital withdrawal authorisation: \(attempt) after the reshare"
            signed.append((try await submitMessage(cluster, "auth-reshared-\(attempt)", vault: "hot-trading",
                                                   #"{"format": "eip191", "text": "\#(text)"}"#), text))
            statuses = try await cluster.waitForGovernance(four, seconds: 180) { g in
                ([login] + signed.map(\.id)).allSatisfy { id in g.requests.first { $0.id == id }?.signing?.status == "signed" }
            }
            if statuses["node-0"]?.governance?.requests.first(where: { $0.id == signed.last!.id })?.signing?.signers.contains("node-0") == true { break }
        }
        let reference = try #require(statuses["node-0"]?.governance)
        let solana = try #require(reference.requests.first { $0.id == login }?.signing)
        #expect(solana.signers.contains("node-0"), "node-0 signs with its new share: \(solana.signers)")
        let verdicts = try await PythonPeer.call("signature_verify_peer.py", Verify(ed25519: [
            .init(key: try #require(after.first { $0.id == "sol-treasury" }?.publicKey), message: raw.hexString,
                  signature: try #require(solana.signature)),
        ]), as: Verdicts.self)
        #expect(verdicts.ed25519 == [true], "PyNaCl verifies the signature under the unchanged key")
        let address = try #require(after.first { $0.id == "hot-trading" }?.addresses.first { $0.chain == "evm" }?.address)
        for (id, text) in signed {
            #expect(try await recoversAddress(address, text: text, signature: reference.requests.first { $0.id == id }?.signing?.signature),
                    "eth-account recovers the unchanged address \(address) from \(id)")
        }
        #expect(signed.contains { id, _ in reference.requests.first { $0.id == id }?.signing?.signers.contains("node-0") == true },
                "node-0 takes part in an ECDSA signature")
        let shown = try await cluster.vaultOutput(["show", "hot-trading"])
        #expect(shown.contains("reshare      epoch 1 -> 2, completed"), "\(shown)")
        passed = true
    }

    /// Node `id`'s sealed shares of `vaults` at key epoch `epoch`, read from its database once it
    /// stored them (bounded wait).
    func sharesAt(_ cluster: LocalCluster, _ id: String, vaults: [String], epoch: UInt64) async throws -> [String: SecretBytes] {
        let database = try cluster.openNodeDatabase(id)
        var shares: [String: SecretBytes] = [:]
        let deadline = ContinuousClock.now + .seconds(30)
        while shares.count < vaults.count, ContinuousClock.now < deadline {
            for v in vaults where shares[v] == nil {
                shares[v] = try database.secret(kind: .vaultKeyShare, id: NodeDatabase.vaultShareID(vault: v, epoch: epoch))
            }
            if shares.count < vaults.count { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(shares.count == vaults.count, "\(id) holds its shares at epoch \(epoch)")
        return shares
    }
}
