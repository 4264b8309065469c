import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import NIOCore
import Testing

/// On-chain monitoring through the real processes, on the suite's shared cluster (issue 15 item
/// 1): eth-tester's fourth account deploys a small Ownable contract and an ERC-1967 proxy at the
/// addresses the fixture's policy watches, transfers the ownership and upgrades the proxy; the
/// two watchers report the raw logs, every node decodes them and raises `ownership-transferred`
/// and `proxy-upgraded`, and each node posts both to the webhook receiver the fixture started,
/// signed with HMAC-SHA256 (checked by Python's `hmac`).
extension TransactionLoopbackTests {
    struct ContractKind: Codable { var kind: String }

    @Test func anOwnershipTransferAndAProxyUpgradeRaiseTheirAlertsOnEveryNodeAndReachTheWebhookSigned() async throws {
        try await withCluster { f in
            let key = TransactionFixture.monitoredDeployerKey
            for (nonce, kind) in [(0, "ownable"), (1, "proxy")] {
                let code = try await PythonPeer.call("evm_monitored.py", ContractKind(kind: kind), as: TransactionFixture.InitCode.self)
                try await f.send(.init(chainId: f.chainId, nonce: String(nonce), gas: "300000", to: nil, value: "0", data: code.initCode, key: key))
            }
            let attacker = String(repeating: "66", count: 20)
            try await f.send(.init(chainId: f.chainId, nonce: "2", gas: "100000", to: String(TransactionFixture.monitoredOwnable.dropFirst(2)), value: "0",
                                   data: "f2fde38b" + String(repeating: "00", count: 12) + attacker, key: key))
            try await f.send(.init(chainId: f.chainId, nonce: "3", gas: "100000", to: String(TransactionFixture.monitoredProxy.dropFirst(2)), value: "0",
                                   data: "3659cfe6" + String(repeating: "00", count: 12) + attacker, key: key))
            for (watcher, cursor) in [(f.watcherKey, "monitor-1.cursor"), (f.secondWatcherKey, "monitor-2.cursor")] {
                let out = try await LocalCluster.run(f.cluster.binary, [
                    "watcher", "--gateway", f.cluster.baseURL, "--watcher", watcher, "--chain", "devnet", "--rpc", f.chain.url.absoluteString,
                    "--from-block", "0", "--confirmations", "0", "--cursor", f.cluster.root.appendingPathComponent(cursor).path, "--once",
                ] + TransactionFixture.clockOffsetArguments(f.cluster))
                #expect(out.contains("reported"), "\(out)")
            }
            // Every node raised both, from its own committed state.
            let deadline = ContinuousClock.now + TestPatience.standard
            var counts: [String: [Int]] = [:]
            repeat {
                for node in f.cluster.nodeIDs {
                    counts[node] = [
                        try await f.cluster.metric(node, #"custos_node_alerts_total{kind="ownership-transferred"}"#),
                        try await f.cluster.metric(node, #"custos_node_alerts_total{kind="proxy-upgraded"}"#),
                    ]
                }
                if counts.values.allSatisfy({ $0 == [1, 1] }) { break }
                try await Task.sleep(for: .milliseconds(200))
            } while ContinuousClock.now < deadline
            #expect(counts.values.allSatisfy { $0 == [1, 1] }, "\(counts)")
            let alerts: [AlertView] = try await f.cluster.getJSON("/v1/alerts")
            let owner = try #require(alerts.first { $0.kind == "ownership-transferred" })
            #expect(owner.basis == "watched" && owner.members == ["watcher-bot", "watcher-bot-2"], "\(owner)")
            #expect(owner.event?.contract == TransactionFixture.monitoredOwnable.lowercased() && owner.event?.fields["new_owner"] == "0x" + attacker)
            let upgrade = try #require(alerts.first { $0.kind == "proxy-upgraded" })
            #expect(upgrade.event?.contract == TransactionFixture.monitoredProxy.lowercased() && upgrade.event?.fields["implementation"] == "0x" + attacker)
            // Each node posted both to the webhook, every body verified under that node's own secret.
            var received: [WebhookRecord] = []
            repeat {
                received = try await f.webhookRecords()
                let kinds = Set(received.filter { $0.valid && ($0.kind == "ownership-transferred" || $0.kind == "proxy-upgraded") }
                    .compactMap { r in r.node.map { "\($0) \(r.kind ?? "")" } })
                if kinds.count == 2 * f.cluster.nodeIDs.count { break }
                try await Task.sleep(for: .milliseconds(200))
            } while ContinuousClock.now < deadline + TestPatience.standard
            let invalid = received.filter { !$0.valid }
            #expect(invalid.isEmpty, "\(invalid.count) posts with a signature that does not verify")
            for node in f.cluster.nodeIDs {
                for alert in [owner, upgrade] {
                    #expect(received.contains { $0.node == node && $0.alert == alert.id && $0.kind == alert.kind }, "\(node) \(alert.kind)")
                }
            }
        }
    }
}

/// One post the fixture's webhook receiver took (`Tests/python/webhook_receiver.py`).
struct WebhookRecord: Decodable {
    var alert: UInt64?
    var kind: String?
    var node: String?
    var valid: Bool
}
