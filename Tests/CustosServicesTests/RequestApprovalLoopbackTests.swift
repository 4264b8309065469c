import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

/// Approvals of a request through the real processes: a gateway and four signer nodes on
/// loopback. The policy (changed through governance) holds the risk bot's longer venue login
/// challenges for two security officers; the message is not signed with one approval, is
/// signed after the second, and PyNaCl verifies the signature. The approvals are made with
/// `custos request approve`, which derives the challenge from the committed request itself.
/// The policy also bounds each person to two approvals an hour (`approvals.per_person_per_hour:
/// 2`): an approver over it is refused by every node with the reason and when the next is possible.
// Half a turn: alone, its turn kept the CPU 51 % busy (make test, 2026-12-08).
@Suite(.halfExclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct RequestApprovalLoopbackTests {
    /// The example policy with one more rule — raw messages over 128 bytes on the Solana treasury
    /// need two security officers (erin, heidi, laura), within 4 hours — and at most two approvals
    /// per person an hour; and its version.
    static func policy() throws -> (yaml: String, version: Int) {
        let example = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        let rule = """
              - name: require-long-venue-logins
                description: A venue login challenge over 128 bytes is unusual; two security officers look at it.
                match:
                  initiator: {roles: [risk-bot]}
                  vault: [sol-treasury]
                  message: {format: [raw]}
                when: "request.message.length > 128"
                outcome: {require: {group: security, count: 2}}
                expires: 4h

              # --- Governance beyond the quorum
            """
        let marker = "  # --- Governance beyond the quorum"
        #expect(example.contains(marker))
        let line = try #require(example.split(separator: "\n").first { $0.hasPrefix("version:") })
        let version = try #require(Int(line.dropFirst("version:".count).trimmingCharacters(in: .whitespaces))) + 1
        let limited = example.replacing(marker, with: rule).replacing(String(line), with: "version: \(version)")
            + "\napprovals: {per_person_per_hour: 2, beyond: pause}\n"
        return (limited, version)
    }

    @Test func aMessageNeedingTwoApprovalsIsSignedOnlyAfterTheSecond() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }
        try await VaultSigningLoopbackTests().solanaVaultAndRiskBot(cluster)
        // change_policy needs two admins and a security officer besides the proposer.
        let file = cluster.root.appendingPathComponent("policy-v2.yaml")
        let policy = try Self.policy()
        try Data(policy.yaml.utf8).write(to: file)
        try await cluster.op(["propose", "--as", "erin", "--id", "long-logins", "change-policy", file.path])
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == "long-logins" } }
        for (count, person) in ["frank", "grace", "heidi"].enumerated() {
            try await cluster.op(["approve", "--yes", "--as", person, "long-logins"])
            _ = try await cluster.waitForGovernance { g in
                g.operations.first { $0.id == "long-logins" }.map { $0.approvals.count > count || $0.status != "proposed" } ?? false
            }
        }
        _ = try await cluster.waitForGovernance(seconds: 60) { g in
            g.policyVersion == policy.version && g.bots.contains { $0.id == "risk-bot" } && g.vaults.first?.status == "active"
        }

        let message = Array("venue login challenge 3c1f0e; session nonce ".utf8) + Array(repeating: UInt8(ascii: "7"), count: 120)
        let request = try await VaultSigningLoopbackTests().submitMessage(
            cluster, "login-long", vault: "sol-treasury", #"{"format": "raw", "hex": "\#(message.hexString)"}"#)
        _ = try await cluster.waitForGovernance { g in g.requests.first { $0.id == request }?.approvals?.status == "pending" }
        let listed = try await LocalCluster.run(cluster.binary, ["request", "list", "--pending", "--json", "--gateway", cluster.baseURL])
        let pending = try JSONDecoder().decode([RequestView].self, from: Data(listed.utf8))
        #expect(pending.map(\.id) == [request])
        #expect(pending.first?.approvals?.unmet.map(\.count) == [2])
        #expect(pending.first?.approvals?.eligible == ["erin", "heidi", "laura"])

        func approve(_ person: String, _ id: String? = nil) async throws -> String {
            try await LocalCluster.run(cluster.binary, [
                "request", "approve", "--yes", "--gateway", cluster.baseURL, "--as", cluster.credentialFile(person).path, id ?? request,
            ])
        }
        // alice (treasury) is not in the group: every node refuses her approval and records why.
        _ = try await approve("alice")
        _ = try await cluster.waitForGovernance { g in
            g.refusals.contains { $0.kind == "request.approve" && $0.operationId == request && $0.user == "alice" && $0.code == "notEligible" }
        }
        let shown = try await approve("laura")
        #expect(shown.contains("APPROVE request \(request)") && shown.contains("raw message 0x\(message.hexString)"), "\(shown)")
        var statuses = try await cluster.waitForGovernance { g in g.requests.first { $0.id == request }?.approvals?.approvals.count == 1 }
        for (id, status) in statuses {
            let r = try #require(status.governance?.requests.first { $0.id == request })
            #expect(!r.allowed && r.signing == nil, "\(id): one approval does not make the request signable")
        }
        let show = try await LocalCluster.run(cluster.binary, ["request", "show", "--gateway", cluster.baseURL, request])
        #expect(show.contains("approved  laura") && show.contains("needs     1 more from security"), "\(show)")

        _ = try await approve("heidi")
        statuses = try await cluster.waitForGovernance(seconds: 90) { g in g.requests.first { $0.id == request }?.signing?.status == "signed" }
        let reference = try #require(statuses["node-1"]?.governance)
        let signed = try #require(reference.requests.first { $0.id == request })
        #expect(signed.approvals?.status == "approved" && signed.approvals?.approvals.map(\.user) == ["laura", "heidi"])
        let signing = try #require(signed.signing)
        #expect(signing.message == message.hexString, "every node derived the raw message itself")
        let key = try #require(reference.vaults.first?.publicKey)
        let verdicts = try await PythonPeer.call("signature_verify_peer.py", VaultSigningLoopbackTests.Verify(ed25519: [
            .init(key: key, message: message.hexString, signature: try #require(signing.signature)),
        ]), as: VaultSigningLoopbackTests.Verdicts.self)
        #expect(verdicts.ed25519 == [true], "PyNaCl verifies the vault's signature of the approved message")

        // heidi approved the policy change and the first login within the hour: two approvals,
        // the most this policy allows. Her approval of a second login is refused by every node,
        // which says why and from when she may approve again; laura's is not.
        let again = Array("venue login challenge 9e7d21; session nonce ".utf8) + Array(repeating: UInt8(ascii: "8"), count: 120)
        let second = try await VaultSigningLoopbackTests().submitMessage(
            cluster, "login-long-2", vault: "sol-treasury", #"{"format": "raw", "hex": "\#(again.hexString)"}"#)
        _ = try await cluster.waitForGovernance { g in g.requests.first { $0.id == second }?.approvals?.status == "pending" }
        let reason = "heidi gave 2 approvals in the last hour, the most the policy allows; the next is possible from "
        let paused = try await approve("heidi", second)
        #expect(paused.contains("review      not measured (--yes)"), "\(paused)")
        #expect(paused.contains("the committed state says: refused: approvalLimit: \(reason)"), "\(paused)")
        statuses = try await cluster.waitForGovernance { g in
            g.refusals.contains { $0.kind == "request.approve" && $0.operationId == second && $0.user == "heidi" && $0.code == "approvalLimit" }
        }
        for (id, status) in statuses {
            let refusal = try #require(status.governance?.refusals.last { $0.operationId == second && $0.user == "heidi" })
            #expect(refusal.reason.hasPrefix(reason) && refusal.reason.hasSuffix(" UTC"), "\(id): \(refusal.reason)")
            #expect(status.governance?.requests.first { $0.id == second }?.approvals?.approvals.isEmpty == true, "\(id)")
        }
        _ = try await approve("laura", second)
        _ = try await cluster.waitForGovernance { g in g.requests.first { $0.id == second }?.approvals?.approvals.map(\.user) == ["laura"] }
        passed = true
    }
}
