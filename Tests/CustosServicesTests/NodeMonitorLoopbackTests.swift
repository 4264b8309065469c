import AsyncHTTPClient
import CustosClusterAPI
import CustosTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A node's loopback monitor, as the README promises it: `GET /health` is JSON naming the node,
/// its committed height, whether it votes, the voting members, the governed state's digest, the
/// freeze and its counters since start; `GET /metrics` is Prometheus text with the same numbers,
/// each metric with its `# TYPE`, and the vault counters and pool gauge.
///
/// Part of the serialized `ClusterLoopbackTests` suite (it starts a cluster).
extension ClusterLoopbackTests {
    @Test func aNodeMonitorReportsHeightMembersDigestAndCounters() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        defer { cluster.stopAll() }
        try await cluster.startGateway()
        for id in cluster.nodeIDs {
            try cluster.startNode(id, extraArguments: ["--monitor-port", "0", "--monitor-port-file",
                                                       cluster.root.appendingPathComponent("\(id).monitor").path])
        }
        #expect(try await cluster.submitNote("monitored").status == .accepted)
        let key = try TestNote.key("monitored")
        let statuses = try await cluster.waitUntil(cluster.nodeIDs) { s in s.values.allSatisfy { $0.entryHeights[key] == 1 } }
        let voters = Set(try #require(statuses["node-1"]?.blocks.first).voters)

        for id in cluster.nodeIDs {
            let status = try #require(statuses[id])
            // The monitor reads the node's memory, which may apply the block a moment after its chain file.
            let health = try await Self.monitorHealth(cluster, id) { $0.committedHeight == 1 }
            #expect(health.status == "ok" && health.node == id)
            #expect(health.voter && !health.frozen)
            #expect(health.members == cluster.nodeIDs)
            #expect(health.stateDigest == status.governance?.stateDigest, "\(id)'s health names another state")
            // Started before height 1: it committed exactly that block, and voted for it if its vote is in the certificate.
            #expect(health.counters.blocksCommitted == 1)
            if voters.contains(id) { #expect(health.counters.votesRecorded == 1, "\(id)'s vote is in the certificate") }
            #expect(health.counters.votesRecorded <= 1)
            #expect(health.counters.proposalsRefused == 0 && health.counters.equivocationAlerts == 0)
            #expect(health.counters.entriesRefused == 1, "the note is a rejection of an unknown operation, refused by the rules")

            let text = try await Self.monitorText(cluster, id, "/metrics")
            let samples = Self.samples(text)
            let expected: [String: Int] = [
                "custos_node_committed_height": 1, "custos_node_voter": 1, "custos_node_frozen": 0,
                "custos_node_blocks_committed_total": 1, "custos_node_votes_recorded_total": health.counters.votesRecorded,
                "custos_node_proposals_refused_total": 0, "custos_node_entries_refused_total": 1,
                "custos_node_equivocation_alerts_total": 0,
                "custos_node_vault_ceremonies_confirmed_total": 0, "custos_node_vault_shares_released_total": 0,
                "custos_node_vault_relay_messages_sent_total": 0,
            ]
            for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
                #expect(samples[name] == value, "\(id): \(name) is \(samples[name].map(String.init) ?? "missing")")
            }
            // Every sample is typed; the pool gauge is declared even with no vault.
            for name in samples.keys { #expect(text.contains("# TYPE \(name) "), "\(id): \(name) has no # TYPE") }
            #expect(text.contains("# TYPE custos_node_vault_pool_depth gauge"))
            // Alerts are counted by kind, every kind listed from the start.
            for kind in ["mined-reverted", "receipt-mismatch", "receipt-overdue"] {
                #expect(text.contains("custos_node_alerts_total{kind=\"\(kind)\"} 0\n"), "\(id): no \(kind) alerts counted")
            }
        }
    }

    /// The node's `/health`, asked until `condition` holds (bounded).
    static func monitorHealth(_ cluster: LocalCluster, _ id: String, until condition: (NodeHealth) -> Bool) async throws -> NodeHealth {
        let deadline = ContinuousClock.now + TestPatience.standard
        var last: NodeHealth?
        while ContinuousClock.now < deadline {
            // The port file appears once the monitor listens.
            let port = try? String(contentsOf: cluster.root.appendingPathComponent("\(id).monitor"), encoding: .utf8)
            if let port, Int(port.trimmingCharacters(in: .whitespacesAndNewlines)) != nil {
                let health = try JSONDecoder().decode(NodeHealth.self, from: Data(try await monitorText(cluster, id, "/health").utf8))
                if condition(health) { return health }
                last = health
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestEnvironmentError("\(id)'s monitor never reported what was expected; last: \(String(describing: last))")
    }

    static func monitorText(_ cluster: LocalCluster, _ id: String, _ path: String) async throws -> String {
        let port = try String(contentsOf: cluster.root.appendingPathComponent("\(id).monitor"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
        #expect(response.status == .ok, "\(id) \(path): \(response.status)")
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    /// Unlabelled samples of a Prometheus text exposition, by metric name.
    static func samples(_ text: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.contains("{") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Int(parts[1]) { out[String(parts[0])] = value }
        }
        return out
    }
}
