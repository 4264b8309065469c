import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosNode
import CustosTestSupport
import Foundation
import NIOHTTP1
import Testing

extension VaultSigningLoopbackTests {
    /// A node restored from a backup signs again, through the real processes: with the FROST
    /// vault `sol-treasury` active, node-1 is backed up (`custos node backup`, its key split 2 of
    /// 3 and 1 of 1, both groups needed, one file per custodian), stopped and its data folder
    /// deleted. A restore with too few mnemonics fails and writes nothing; with enough it re-seals
    /// the keys and share under a new passphrase (checked against the gateway's key epochs).
    /// Before the loss node-1 recorded a vote at a height that had not committed (node-3 and
    /// node-4 stopped): the restored node votes there no more. It votes at no height until its
    /// own `node.restored` entry has committed (the other three commit meanwhile), and only above
    /// it afterwards; it signs nothing until an
    /// operator acknowledges the restore (`custos node resume --acknowledge-restore`). It catches
    /// up and, once the commitments it pooled before the loss (whose
    /// secrets are gone with it, never in a backup) are spent by attempts that time out, signs
    /// requests in the signer set; PyNaCl verifies them under the vault's key.
    @Test func aNodeRestoredFromItsBackupSignsAgain() async throws {
        let cluster = try await LocalCluster(nodeCount: 4, policy: LocalCluster.exampleWithShortSigningAttempts())
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        // node-1 pools two nonces: the ones it loses are spent after two attempts.
        let smallPool = ["--nonce-pool-depth", "2"]
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id, extraArguments: id == "node-1" ? smallPool : []) }
        try await vaultAndRiskBot(cluster, "sol-treasury", "frost-ed25519")
        var statuses = try await cluster.waitForGovernance(seconds: 180) { g in
            g.bots.contains { $0.id == "risk-bot" } && g.vaults.first?.status == "active"
                && cluster.nodeIDs.allSatisfy { (g.vaults.first?.pools[$0] ?? 0) > 0 }
        }
        let vault = try #require(statuses["node-1"]?.governance?.vaults.first)

        // The backup, while node-1 runs.
        let backup = cluster.root.appendingPathComponent("node-1.backup")
        let custodians = cluster.root.appendingPathComponent("custodians")
        let backupPassphrase = cluster.root.appendingPathComponent("node-1-backup-passphrase")
        try Data("the operators' backup passphrase".utf8).write(to: backupPassphrase)
        let out = try await LocalCluster.run(cluster.binary, [
            "node", "backup", "--data", cluster.nodeData("node-1").path, "--cluster", cluster.clusterFile.path,
            "--groups", "2of3,1of1", "--group-threshold", "2", "--out", backup.path, "--mnemonics-dir", custodians.path,
            "--iteration-exponent", "0", "--backup-passphrase-file", backupPassphrase.path,
        ] + cluster.passphraseSeal)
        #expect(out.contains("backup of node node-1") && out.contains("sol-treasury"), "\(out)")
        let mnemonic = { (group: Int, member: Int) in custodians.appendingPathComponent("group-\(group)-member-\(member).txt").path }
        for path in [mnemonic(1, 1), mnemonic(1, 2), mnemonic(1, 3), mnemonic(2, 1)] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(path) is for its custodian only")
        }

        // Before its disk is lost, node-1 records a vote that never commits (review M3): node-3
        // and node-4 stop, so nothing commits; node-1 restarts to record its vote at the next
        // height and dies before sending it. The backup knows nothing of that vote.
        for id in ["node-1", "node-3", "node-4"] { cluster.killNode(id, signal: SIGKILL) }
        let pending = try #require(await cluster.committedHeight()) + 1
        try cluster.startNode("node-1", extraArguments: smallPool + ["--unsafe-test-exit-after-recording-vote-at", "\(pending)"])
        #expect(try await cluster.submitNote("a vote of node-1 that never commits").status == .accepted)
        #expect(try await cluster.waitForExit("node-1") == ClusterLoopbackTests.exitStatus)
        #expect(try cluster.recordedVotes("node-1").contains { $0.height == pending }, "node-1 recorded no vote at \(pending)")
        #expect(await cluster.committedHeight() == pending - 1, "height \(pending) committed without node-3 and node-4")

        // The disk is lost.
        try FileManager.default.removeItem(at: cluster.nodeData("node-1"))

        let newPassphrase = cluster.root.appendingPathComponent("node-1-new-passphrase")
        try Data("a new passphrase for the restored node-1".utf8).write(to: newPassphrase)
        let newSeal = ["--passphrase-file", newPassphrase.path]
        let restore = ["node", "restore", "--backup", backup.path, "--data", cluster.nodeData("node-1").path, "--cluster", cluster.clusterFile.path,
                       "--gateway", cluster.baseURL, "--backup-passphrase-file", backupPassphrase.path] + newSeal
        // Without the backup passphrase (as for a backup an older custos made without one): the
        // backup does not open; giving both the passphrase and the legacy flag is refused.
        let withoutPassphrase = restore.filter { $0 != "--backup-passphrase-file" && $0 != backupPassphrase.path }
        for (arguments, says) in [(withoutPassphrase + ["--legacy-empty-passphrase"], ["without a backup passphrase", "does not open"]),
                                  (restore + ["--legacy-empty-passphrase"], ["exclude each other"]),
                                  (withoutPassphrase, ["give --backup-passphrase-file"])] {
            do {
                _ = try await LocalCluster.run(cluster.binary, arguments + ["--mnemonics", mnemonic(1, 3), mnemonic(2, 1), mnemonic(1, 1)])
                Issue.record("restored with \(arguments.suffix(2))")
            } catch {
                #expect(says.allSatisfy { "\(error)".contains($0) }, "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: cluster.nodeData("node-1").path))
        }
        // One of group 1's two: refused, nothing written.
        await #expect(throws: (any Error).self) {
            try await LocalCluster.run(cluster.binary, restore + ["--mnemonics", mnemonic(1, 2), mnemonic(2, 1)])
        }
        #expect(!FileManager.default.fileExists(atPath: cluster.nodeData("node-1").path))
        let restored = try await LocalCluster.run(cluster.binary, restore + ["--mnemonics", mnemonic(1, 3), mnemonic(2, 1), mnemonic(1, 1)])
        #expect(restored.contains("restored node node-1"), "\(restored)")

        // Restarted with an empty chain, it announces its restore and catches up; the other three
        // (node-3 and node-4 back) commit without it until its entry has committed — the height
        // its original voted at first.
        let headAtRestore = try await cluster.status("node-2").height
        try cluster.startNode("node-1", seal: newSeal, extraArguments: smallPool)
        for id in ["node-3", "node-4"] { try cluster.startNode(id) }
        var announcedAt: UInt64 = 0
        let announced = try await cluster.waitUntil(["node-1", "node-2"], seconds: 180) { s in
            guard let block = s["node-2"]?.blocks.first(where: { $0.height > headAtRestore && $0.entries.contains { $0.hasPrefix("node.restored:") } })
            else { return false }
            announcedAt = block.height
            return (s["node-1"]?.height ?? 0) >= block.height
        }
        let meanwhile = try #require(announced["node-2"]?.blocks.filter { $0.height > headAtRestore && $0.height <= announcedAt })
        #expect(!meanwhile.isEmpty && meanwhile.allSatisfy { !$0.voters.contains("node-1") }, "node-1 voted before its entry committed")
        #expect(announcedAt >= pending, "the restore entry committed at \(announcedAt), below its original's vote at \(pending)")
        let announcements = try #require(announced["node-2"]?.blocks.flatMap { $0.entries.filter { $0.hasPrefix("node.restored:") } })
        #expect(announcements.count == 1, "node-1 announced its restore \(announcements.count) times")
        #expect(announced["node-1"]?.signingHalts.map(\.cause) == ["restored"], "a restored node signs nothing until the restore is acknowledged")
        let resumed = try await LocalCluster.run(cluster.binary, ["node", "resume", "--data", cluster.nodeData("node-1").path, "--acknowledge-restore"])
        #expect(resumed.contains("the node signs again"), "\(resumed)")

        // It signs again.
        let raw = { (n: Int) in Array("venue login challenge \(n) after node-1 was restored".utf8) }
        var requests: [String] = []
        for n in 0..<6 {
            requests.append(try await submitMessage(cluster, "login-restored-\(n)", vault: "sol-treasury",
                                                    #"{"format": "raw", "hex": "\#(raw(n).hexString)"}"#))
            statuses = try await cluster.waitForGovernance(seconds: 180) { g in
                requests.allSatisfy { id in g.requests.first { $0.id == id }?.signing?.status == "signed" }
            }
            if statuses["node-1"]?.governance?.requests.first(where: { $0.id == requests.last! })?.signing?.signers.contains("node-1") == true { break }
        }
        let reference = try #require(statuses["node-1"]?.governance)
        let last = try #require(reference.requests.first { $0.id == requests.last! }?.signing)
        #expect(last.signers.contains("node-1"), "the restored node-1 signs: \(last.signers)")
        let verdicts = try await PythonPeer.call("signature_verify_peer.py", Verify(ed25519: try requests.enumerated().map { n, id in
            .init(key: try #require(vault.publicKey), message: raw(n).hexString,
                  signature: try #require(reference.requests.first { $0.id == id }?.signing?.signature))
        }), as: Verdicts.self)
        #expect(verdicts.ed25519 == Array(repeating: true, count: requests.count), "PyNaCl verifies every signature under the vault's key")
        // Its votes: none before the block that carried its entry, some after it.
        let database = try NodeDatabase(path: cluster.nodeData("node-1").appendingPathComponent("votes.sqlite").path)
        #expect(try database.restoration()?.floor == announcedAt)
        let votes = try database.recordedVotes()
        #expect(!votes.isEmpty && votes.allSatisfy { $0.height > announcedAt }, "votes at \(votes.map(\.height)), floor \(announcedAt)")
        #expect(!votes.contains { $0.height == pending }, "the restored node voted at \(pending), where its original had voted")
        passed = true
    }
}

extension VaultSigningLoopbackTests {
    /// A lost node rebuilt by reshare, without any backup: node-1 is stopped and its data folder
    /// deleted while the FROST vault `sol-treasury` is active. A new node (node-0, a new data
    /// folder and keys) is added by the quorum (`add-member`); its reshare cannot complete while
    /// node-1, still a member, is silent, and removing node-1 (`remove-member`) supersedes it
    /// with a reshare dealt by the surviving holders to node-0, node-2, node-3 and node-4. The
    /// vault keeps its key, and node-0 signs with its new share; PyNaCl verifies the signature.
    @Test func aLostNodeIsReplacedByReshareWithoutABackup() async throws {
        let cluster = try await LocalCluster(nodeCount: 4, policy: LocalCluster.exampleWithShortSigningAttempts())
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }
        try await vaultAndRiskBot(cluster, "sol-treasury", "frost-ed25519")
        var statuses = try await cluster.waitForGovernance(seconds: 180) { g in
            g.bots.contains { $0.id == "risk-bot" } && g.vaults.first?.status == "active"
        }
        let before = try #require(statuses["node-1"]?.governance?.vaults.first)

        cluster.killNode("node-1", signal: SIGKILL)
        try FileManager.default.removeItem(at: cluster.nodeData("node-1"))
        let survivors = ["node-2", "node-3", "node-4"]
        func executed(_ operation: String, _ arguments: [String], by nodes: [String]) async throws {
            try await cluster.op(["propose", "--as", "erin", "--id", operation] + arguments)
            _ = try await cluster.waitForGovernance(nodes) { g in g.operations.contains { $0.id == operation } }
            try await cluster.op(["approve", "--yes", "--as", "frank", operation])
            _ = try await cluster.waitForGovernance(nodes) { g in g.operations.first { $0.id == operation }?.approvals.count == 1 }
            try await cluster.op(["approve", "--yes", "--as", "grace", operation])
            _ = try await cluster.waitForGovernance(nodes) { g in g.operations.first { $0.id == operation }?.status == "executed" }
        }
        let request = try await cluster.startJoiningNode("node-0")
        try await executed("add-node-0", ["add-member", request.path], by: survivors)
        try await executed("remove-node-1", ["remove-member", "node-1"], by: ["node-0"] + survivors)
        let four = ["node-0"] + survivors
        statuses = try await cluster.waitForGovernance(four, seconds: 300) { g in
            g.members.map(\.id) == four && g.vaultsAwaitingReshare.isEmpty
                && g.vaults.allSatisfy { $0.holders == four && $0.refreshes?.last?.status == "completed" && ($0.pools["node-0"] ?? 0) > 0 }
        }
        let after = try #require(statuses["node-0"]?.governance?.vaults.first)
        #expect(after.publicKey == before.publicKey && after.addresses == before.addresses, "the vault keeps its key and addresses")
        #expect(after.refreshes?.last?.operationId == "remove-node-1", "\(String(describing: after.refreshes?.last))")

        // node-0 (first in id order) is in the first signer set of a request.
        let raw = Array("venue login challenge after node-1 was lost".utf8)
        let login = try await submitMessage(cluster, "login-replaced", vault: "sol-treasury", #"{"format": "raw", "hex": "\#(raw.hexString)"}"#)
        statuses = try await cluster.waitForGovernance(four, seconds: 180) { g in g.requests.first { $0.id == login }?.signing?.status == "signed" }
        let signing = try #require(statuses["node-0"]?.governance?.requests.first { $0.id == login }?.signing)
        #expect(signing.signers.contains("node-0"), "the replacement signs: \(signing.signers)")
        let verdicts = try await PythonPeer.call("signature_verify_peer.py", Verify(ed25519: [
            .init(key: try #require(after.publicKey), message: raw.hexString, signature: try #require(signing.signature)),
        ]), as: Verdicts.self)
        #expect(verdicts.ed25519 == [true], "PyNaCl verifies the signature under the unchanged key")
        passed = true
    }
}
