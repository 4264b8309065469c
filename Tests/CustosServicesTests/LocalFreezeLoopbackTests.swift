import CustosClusterAPI
import CustosTestSupport
import Foundation
import NIOHTTP1
import Testing

/// A security officer freezes one node on its host, without the gateway, as the README tells
/// them to: `custos node freeze` with their credential. Someone the policy does not let freeze
/// is refused and nothing is recorded; the officer's freeze shows in the node's health and
/// status within a second, holds across a restart, lets the node keep voting, and ends only when
/// the quorum unfreezes in the log after it (an officer freezes the log, the quorum unfreezes it).
///
/// Part of the serialized `ClusterLoopbackTests` suite (it starts a cluster).
extension ClusterLoopbackTests {
    @Test func anOfficerFreezesANodeOnItsHostUntilTheQuorumUnfreezesInTheLog() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        defer { cluster.stopAll() }
        try await cluster.startGateway()
        let monitor = ["--monitor-port", "0", "--monitor-port-file", cluster.root.appendingPathComponent("node-1.monitor").path]
        try cluster.startNode("node-1", extraArguments: monitor)
        for id in cluster.nodeIDs.dropFirst() { try cluster.startNode(id) }
        #expect(try await cluster.submitNote("before").status == .accepted)
        _ = try await cluster.waitUntil(cluster.nodeIDs) { s in s.values.allSatisfy { $0.height >= 1 } }

        func freeze(as user: String) async throws -> CustosExecutable.Outcome {
            try await CustosExecutable.run(["node", "freeze", "--data", cluster.nodeData("node-1").path, "--cluster", cluster.clusterFile.path,
                                            "--as", cluster.credentialFile(user).path])
        }
        // frank is an admin but not a security officer: refused, nothing on record.
        let refused = try await freeze(as: "frank")
        #expect(refused.status == 1 && refused.stderr.contains("may not freeze alone"), "\(refused.stderr)")
        #expect(try await cluster.status("node-1").signingHalts.isEmpty)

        let frozen = try await freeze(as: "heidi")
        #expect(frozen.status == 0, "\(frozen.stderr)")
        try await cluster.waitForLog("node-1", containing: "signing halted")
        #expect(try await cluster.metric("node-1", "custos_node_signing_halted") == 1)
        let halts = try await cluster.status("node-1").signingHalts
        #expect(halts.map(\.cause) == ["local-freeze"] && halts.first?.reason.contains("heidi") == true, "\(halts)")

        // Liveness: the frozen node still votes.
        #expect(try await cluster.submitNote("while frozen").status == .accepted)
        let key = try TestNote.key("while frozen")
        let committed = try await cluster.waitUntil(cluster.nodeIDs) { s in s.values.allSatisfy { $0.entryHeights[key] != nil } }
        let height = try #require(committed["node-1"]?.entryHeights[key])
        #expect(try cluster.recordedVotes("node-1").contains { $0.height == height }, "the frozen node stopped voting")

        // Durable: node-1 restarted is still frozen.
        cluster.killNode("node-1", signal: SIGTERM)
        try cluster.startNode("node-1", extraArguments: monitor)
        try await cluster.waitForLog("node-1", containing: "signing is halted")
        #expect(try await cluster.status("node-1").signingHalts.map(\.cause) == ["local-freeze"])

        // The quorum lifts it in the log: heidi freezes the cluster there, the quorum unfreezes it.
        try await cluster.op(["propose", "--as", "heidi", "--id", "log-freeze", "freeze"])
        _ = try await cluster.waitForGovernance { $0.frozen }
        try await cluster.op(["propose", "--as", "heidi", "--id", "log-unfreeze", "unfreeze"])
        for person in ["frank", "grace", "laura"] { try await cluster.op(["approve", "--yes", "--as", person, "log-unfreeze"]) }
        _ = try await cluster.waitForGovernance { !$0.frozen }
        _ = try await cluster.waitUntil(["node-1"]) { s in s["node-1"]?.signingHalts.isEmpty == true }
        try await cluster.waitForLog("node-1", containing: "local freeze lifted")
    }
}
