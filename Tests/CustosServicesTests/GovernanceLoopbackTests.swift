import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosState
import CustosTestSupport
import Foundation
import NIOHTTP1
import Testing

/// Governance through the real processes: a development cluster from `custos cluster init`
/// (the example policy: two admins approve besides the proposer; a policy change also needs a
/// security officer), operations proposed and approved with `custos op` and by hand-built
/// entries, and every node's own copy of the governed state read with `custos node status`.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(5)))
struct GovernanceLoopbackTests {
    @Test func oneAdminAloneChangesNothingAndTheQuorumChangesEveryNodeAtTheSameHeight() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }

        // erin alone proposes a new person, an enrolment of a new credential for alice, and a new
        // policy version. alice makes her enrolment code and hands erin only its key: nobody
        // registers a credential for someone else (issue #13 item 3), so erin cannot add one
        // for her directly.
        let refused = try await CustosExecutable.run(["op", "propose", "--gateway", cluster.baseURL, "--as", cluster.credentialFile("erin").path,
                                                      "add-credential", "alice"])
        #expect(refused.status == 1 && refused.stderr.contains("enrol alice"), "\(refused.stderr)")
        let codeFile = cluster.root.appendingPathComponent("alice.code")
        let made = try await LocalCluster.run(cluster.binary, ["op", "enrolment-code", "--out", codeFile.path])
        let codeKey = try #require(made.split(separator: "\n").last?.split(separator: " ").last.map(String.init))
        let policy = cluster.root.appendingPathComponent("policy-v15.yaml")
        let example = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        try example.replacingOccurrences(of: "\nversion: 14\n", with: "\nversion: 15\n").write(to: policy, atomically: true, encoding: .utf8)
        try await cluster.op(["propose", "--as", "erin", "--id", "add-dave", "add-user", "dave", "trader"])
        try await cluster.op(["propose", "--as", "erin", "--id", "alice-key-2", "enrol-credential", "alice", codeKey, "2"])
        try await cluster.op(["propose", "--as", "erin", "--id", "policy-15", "change-policy", policy.path])
        // Approvers read an operation from the committed state, so they wait for it.
        _ = try await cluster.waitForGovernance { g in g.operations.count == 3 }
        // erin cannot approve her own operation: committed, and refused on every node.
        try await cluster.op(["approve", "--yes", "--as", "erin", "add-dave"])
        // frank's approval is one of the two the policy asks for.
        for id in ["add-dave", "alice-key-2", "policy-15"] { try await cluster.op(["approve", "--yes", "--as", "frank", id]) }

        var statuses = try await cluster.waitForGovernance { g in
            g.operations.count == 3 && g.operations.allSatisfy { $0.approvals == ["frank"] }
                && g.refusals.contains { $0.code == "initiatorCannotApprove" }
        }
        for (id, status) in statuses {
            let g = try #require(status.governance)
            #expect(g.operations.allSatisfy { $0.status == "proposed" }, "\(id)")
            #expect(!g.users.contains { $0.id == "dave" }, "\(id)")
            #expect(g.users.first { $0.id == "alice" }?.credentials.count == 1, "\(id)")
            #expect(g.policyVersion == 14, "\(id)")
        }

        // grace completes the admin quorum; the policy change still waits for a security officer.
        for id in ["add-dave", "alice-key-2", "policy-15"] { try await cluster.op(["approve", "--yes", "--as", "grace", id]) }
        statuses = try await cluster.waitForGovernance { g in
            g.operations.first { $0.id == "add-dave" }?.status == "executed"
                && g.operations.first { $0.id == "alice-key-2" }?.status == "executed"
                && g.operations.first { $0.id == "policy-15" }?.approvals.count == 2
        }
        #expect(statuses.values.allSatisfy { $0.governance?.policyVersion == 14 })
        // alice registers her new credential herself, with her code, once.
        let enrol = ["op", "enrol", "--gateway", cluster.baseURL, "--cluster", cluster.clusterFile.path, "--user", "alice",
                     "--enrolment", "alice-key-2", "--code-file", codeFile.path]
        _ = try await LocalCluster.run(cluster.binary, enrol + ["--out", cluster.root.appendingPathComponent("credentials/alice.2.json").path])
        _ = try await cluster.waitForGovernance { g in g.users.first { $0.id == "alice" }?.credentials.count == 2 }
        _ = try await LocalCluster.run(cluster.binary, enrol + ["--out", cluster.root.appendingPathComponent("credentials/alice.3.json").path])
        try await cluster.op(["approve", "--yes", "--as", "heidi", "policy-15"])
        statuses = try await cluster.waitForGovernance { g in
            g.policyVersion == 15 && g.refusals.contains { $0.code == "enrolmentRefused" && $0.user == "alice" }
        }

        // Every node applied every change at the same height: the same state digest after every height.
        let reference = try #require(statuses["node-1"])
        for (id, status) in statuses {
            #expect(status.stateDigests == reference.stateDigests, "\(id) applied the changes differently")
            let g = try #require(status.governance)
            #expect(g.users.first { $0.id == "dave" }?.roles == ["trader"])
            #expect(g.users.first { $0.id == "alice" }?.credentials.count == 2)
        }

        // The gateway's API shows the same lifecycle.
        let operation: OperationDetail = try await cluster.getJSON("/v1/operations/add-dave")
        #expect(operation.operation.status == "executed")
        #expect(operation.operation.approvals == ["frank", "grace"])
        #expect(operation.refusals.contains { $0.code == "initiatorCannotApprove" && $0.user == "erin" })
        let cluterView: ClusterView = try await cluster.getJSON("/v1/cluster")
        #expect(cluterView.stateDigest == reference.stateDigests.last?.digest)
        passed = true
    }

    @Test func aTraderCannotVetoTheirRemovalAndOneAdminsRejectionDoesNotBlockIt() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }

        // heidi proposes removing alice (a trader); the quorum is two of erin, frank and grace.
        try await cluster.op(["propose", "--as", "heidi", "--id", "remove-alice", "remove-user", "alice"])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "remove-alice" } }
        // alice rejects her own removal: she approves nothing in governance, so every node refuses it.
        try await cluster.op(["reject", "--yes", "--as", "alice", "remove-alice"])
        // frank rejects it too: he may, but erin and grace can still approve without him.
        try await cluster.op(["reject", "--yes", "--as", "frank", "remove-alice"])
        let statuses = try await cluster.waitForGovernance { g in
            g.operations.first { $0.id == "remove-alice" }?.rejections == ["frank"]
                && g.refusals.contains { $0.code == "notEligible" && $0.user == "alice" }
        }
        for (id, status) in statuses {
            #expect(status.governance?.operations.first { $0.id == "remove-alice" }?.status == "proposed", "\(id)")
        }
        let refused: OperationDetail = try await cluster.getJSON("/v1/operations/remove-alice")
        #expect(refused.refusals.contains { $0.code == "notEligible" && $0.user == "alice" && $0.reason.contains("only members of admins may approve or reject it") })

        for approver in ["erin", "grace"] { try await cluster.op(["approve", "--yes", "--as", approver, "remove-alice"]) }
        _ = try await cluster.waitForGovernance { g in
            g.operations.first { $0.id == "remove-alice" }?.status == "executed"
                && g.users.first { $0.id == "alice" }?.active == false
        }
        let executed: OperationDetail = try await cluster.getJSON("/v1/operations/remove-alice")
        #expect(executed.operation.status == "executed")
        #expect(executed.operation.approvals == ["erin", "grace"])
        #expect(executed.operation.rejections == ["frank"])
        #expect(executed.operation.rejectedBy == nil)
        passed = true
    }

    @Test func forgedReplayedAndAlteredApprovalsAreRefusedByEveryNodeWithTheReason() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        // An honest gateway refuses these forgeries itself (401); this one queues them unchecked,
        // so that the nodes' own checks are what is tried.
        try await cluster.startGateway(extraArguments: ["--unsafe-test-queue-unchecked"])
        for id in cluster.nodeIDs { try cluster.startNode(id) }

        try await cluster.op(["propose", "--as", "erin", "--id", "warm-up", "add-user", "walt", "trader"])
        try await cluster.op(["propose", "--as", "erin", "--id", "target", "add-user", "mallory", "trader"])
        _ = try await cluster.waitForGovernance { g in g.operations.count == 2 }
        // frank approves warm-up for real, so his credential's counter is on record.
        try await cluster.op(["approve", "--yes", "--as", "frank", "warm-up"])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "warm-up" }?.approvals == ["frank"] }

        let target = try await cluster.proposal("target")
        let genesis = try await cluster.genesisDigest()
        let warmUp = try await cluster.proposal("warm-up")
        var frank = try cluster.credential("frank")
        let rpId = TestGenesis.rpId, origin = TestGenesis.origin
        // Each forgery, and the WebAuthn check every node must name.
        var forgeries: [(String, WebAuthnAssertion.Response, String)] = []
        forgeries.append(("reject challenge", frank.getAssertion(relyingPartyId: rpId, origin: origin, challenge: target.challenge(.reject, genesisDigest: genesis)),
                          "wrongChallenge"))
        forgeries.append(("another operation", frank.getAssertion(relyingPartyId: rpId, origin: origin, challenge: warmUp.challenge(.approve, genesisDigest: genesis)),
                          "wrongChallenge"))
        forgeries.append(("wrong origin", frank.getAssertion(relyingPartyId: rpId, origin: "https://evil.example", challenge: target.challenge(.approve, genesisDigest: genesis)),
                          "wrongOrigin"))
        forgeries.append(("no user verification", frank.getAssertion(relyingPartyId: rpId, origin: origin, challenge: target.challenge(.approve, genesisDigest: genesis),
                                                                     userVerified: false), "userNotVerified"))
        var altered = frank.getAssertion(relyingPartyId: rpId, origin: origin, challenge: target.challenge(.approve, genesisDigest: genesis))
        altered = WebAuthnAssertion.Response(
            credentialId: altered.credentialId, authenticatorData: altered.authenticatorData, clientDataJSON: altered.clientDataJSON,
            signature: altered.signature.enumerated().map { $0.offset == 10 ? $0.element ^ 1 : $0.element }, userHandle: altered.userHandle)
        forgeries.append(("altered signature", altered, "badSignature"))
        // A clone of the authenticator from before its last use: a counter that does not increase.
        let stale = try cluster.credential("frank", signCount: 0)
        var clone = stale
        forgeries.append(("lowered counter", clone.getAssertion(relyingPartyId: rpId, origin: origin, challenge: target.challenge(.approve, genesisDigest: genesis)),
                          "counterNotIncreased"))
        for (_, assertion, _) in forgeries {
            let r = try await cluster.postJSON("/v1/operations/target/approvals", DecisionMessage(user: "frank", assertion: assertion))
            #expect(r.status == .accepted)
        }
        // A valid approval, then the same approval replayed.
        let good = frank.getAssertion(relyingPartyId: rpId, origin: origin, challenge: target.challenge(.approve, genesisDigest: genesis))
        for _ in 0..<2 {
            _ = try await cluster.postJSON("/v1/operations/target/approvals", DecisionMessage(user: "frank", assertion: good))
        }

        let statuses = try await cluster.waitForGovernance { g in
            g.operations.first { $0.id == "target" }?.approvals == ["frank"]
                && g.refusals.filter { $0.operationId == "target" }.count == forgeries.count + 1
        }
        let reference = try #require(statuses["node-1"]?.governance)
        let refusals = reference.refusals.filter { $0.operationId == "target" }
        for (i, (name, _, webAuthn)) in forgeries.enumerated() {
            #expect(refusals[i].code == "assertionRefused", "\(name): \(refusals[i])")
            #expect(refusals[i].webAuthn == webAuthn, "\(name): \(refusals[i].reason)")
            #expect(refusals[i].user == "frank")
        }
        #expect(refusals.last?.code == "duplicateApproval", "the replayed approval: \(String(describing: refusals.last))")
        for (id, status) in statuses {
            #expect(status.governance?.refusals == reference.refusals, "\(id) recorded other refusals")
            #expect(status.governance?.stateDigest == reference.stateDigest, "\(id)")
        }
        passed = true
    }

    @Test func membershipChangesOnlyByTheQuorumAndTheLogFollowsIt() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }

        // node-5 exists and runs, but is not a member: it follows the chain without voting.
        let request = try await cluster.startJoiningNode("node-5")
        try await cluster.op(["propose", "--as", "erin", "--id", "add-node-5", "add-member", request.path])
        _ = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-node-5" } != nil }
        try await cluster.op(["approve", "--yes", "--as", "frank", "add-node-5"])
        var statuses = try await cluster.waitForGovernance { g in g.operations.first { $0.id == "add-node-5" }?.approvals == ["frank"] }
        #expect(statuses.values.allSatisfy { $0.governance?.members.count == 4 }, "one approval besides the proposer changed membership")
        // Evidence that node-5 took part: it followed the chain up to the members' height, and
        // recorded no vote on the way.
        let membersHeight = statuses.values.map(\.height).max() ?? 0
        _ = try await cluster.waitUntil(["node-5"]) { s in (s["node-5"]?.height ?? 0) >= membersHeight }
        #expect(try !cluster.hasVoted("node-5"), "a non-member voted")

        try await cluster.op(["approve", "--yes", "--as", "grace", "add-node-5"])
        let five = cluster.nodeIDs + ["node-5"]
        statuses = try await cluster.waitForGovernance(five) { g in g.members.count == 5 }
        // The height of the state that holds five members (`custos node status` reads the blocks
        // and the state one after the other, so its `height` may be a block behind the state).
        let changedAt = try #require(statuses["node-1"]?.governance?.height)
        // From the next height on, certificates need 4 of 5 votes, and node-5's vote counts. A
        // certificate holds the first 4 votes the gateway receives, so a slow node-5 may miss one:
        // notes go in one block at a time until a certificate carries node-5's vote (bounded).
        var note = 0
        repeat {
            note += 1
            _ = try await cluster.submitNote("after-\(note)")
            let key = try TestNote.key("after-\(note)")
            statuses = try await cluster.waitUntil(five) { s in s.values.allSatisfy { $0.entryHeights[key] != nil } }
        } while note < 20 && !(statuses["node-5"]?.blocks.contains { $0.height > changedAt && $0.voters.contains("node-5") } ?? false)
        #expect(statuses["node-5"]?.blocks.contains { $0.height > changedAt && $0.voters.contains("node-5") } == true,
                "node-5's vote is in no certificate of \(note) blocks after it joined")
        for status in statuses.values {
            for block in status.blocks where block.height > changedAt { #expect(block.voters.count >= 4, "height \(block.height)") }
        }
        // Nodes may be a block apart at this instant; where two have a height, they agree on it.
        let common = statuses.values.map(\.stateDigests.count).min() ?? 0
        #expect(Set(statuses.values.map { Array($0.stateDigests.prefix(common)) }).count == 1)

        // Removing node-1 takes the same quorum. Afterwards node-1 still runs, but with node-2
        // stopped the log moves on with exactly node-3, node-4 and node-5 (q = 3 of 4): had the
        // removal not taken effect, q would be 4 of 5 and node-1's vote would be in the certificate.
        try await cluster.op(["propose", "--as", "erin", "--id", "remove-node-1", "remove-member", "node-1"])
        _ = try await cluster.waitForGovernance(five) { g in g.operations.first { $0.id == "remove-node-1" } != nil }
        try await cluster.op(["approve", "--yes", "--as", "frank", "remove-node-1"])
        try await cluster.op(["approve", "--yes", "--as", "grace", "remove-node-1"])
        statuses = try await cluster.waitForGovernance(five) { g in g.members.map(\.id) == ["node-2", "node-3", "node-4", "node-5"] }
        let removedAt = try #require(statuses["node-2"]?.height)
        cluster.killNode("node-2", signal: SIGKILL)
        _ = try await cluster.submitNote("without-node-1")
        let key = try TestNote.key("without-node-1")
        statuses = try await cluster.waitUntil(["node-1", "node-3", "node-4", "node-5"]) { s in s.values.allSatisfy { $0.entryHeights[key] != nil } }
        let last = try #require(statuses["node-5"]?.blocks.last { $0.height > removedAt })
        #expect(Set(last.voters) == ["node-3", "node-4", "node-5"])

        // A node restarted after the change rebuilds the state (digest checked) and votes with the new members.
        cluster.killNode("node-3", signal: SIGTERM)
        try cluster.startNode("node-3")
        try cluster.startNode("node-2")
        _ = try await cluster.submitNote("after-restart")
        let restartKey = try TestNote.key("after-restart")
        statuses = try await cluster.waitUntil(["node-2", "node-3", "node-4", "node-5"]) { s in s.values.allSatisfy { $0.entryHeights[restartKey] != nil } }
        #expect(statuses["node-3"]?.governance?.members.map(\.id) == ["node-2", "node-3", "node-4", "node-5"])

        // The exported log verifies offline, membership changes included.
        let export = cluster.root.appendingPathComponent("chain.export")
        _ = try await LocalCluster.run(cluster.binary, ["node", "export", "--data", cluster.nodeData("node-5").path,
                                                  "--cluster", cluster.clusterFile.path, "--out", export.path])
        let audit = try await LocalCluster.run(cluster.binary, ["audit", "verify", export.path])
        #expect(audit.contains("valid: "), "\(audit)")
        #expect(audit.contains("4 voting members"), "\(audit)")

        // An offline signer set up with the genesis cluster file follows the change (review
        // A-H1): it trusts the members the cluster serves now, keeping its keys, and its
        // member-set fingerprint is the one the audit of the log prints.
        let view: ClusterView = try await cluster.getJSON("/v1/cluster")
        var current = try JSONDecoder().decode(ClusterFile.self, from: Data(contentsOf: cluster.clusterFile))
        current.members = view.members
        let currentFile = cluster.root.appendingPathComponent("cluster-now.json")
        try JSONEncoder().encode(current).write(to: currentFile)
        let offline = cluster.root.appendingPathComponent("offline").path
        let passphrase = cluster.root.appendingPathComponent("offline-passphrase")
        try Data("offline passphrase\n".utf8).write(to: passphrase)
        let setUp = try await LocalCluster.run(cluster.binary, ["offline", "init", "--dir", offline, "--cluster", cluster.clusterFile.path,
                                                                "--passphrase-file", passphrase.path])
        let identity = setUp.split(separator: "\n").first { $0.hasPrefix("identity:") }
        let update = try await LocalCluster.run(cluster.binary, ["offline", "update-cluster", "--dir", offline, "--cluster", currentFile.path, "--yes"])
        let fingerprint = OfflineMembers.fingerprint(of: try view.members.map { try $0.member() })
        #expect(update.contains("added    node-5") && update.contains("removed  node-1"), "\(update)")
        #expect(update.contains("the signer trusts 4 members now (fingerprint \(fingerprint))"), "\(update)")
        #expect(audit.contains("(member-set fingerprint \(fingerprint))"), "\(audit)")
        let show = try await LocalCluster.run(cluster.binary, ["offline", "show", "--dir", offline])
        #expect(identity != nil && show.contains(identity!) && show.contains("node-2, node-3, node-4, node-5 (fingerprint \(fingerprint))"), "\(show)")
        passed = true
    }
}
