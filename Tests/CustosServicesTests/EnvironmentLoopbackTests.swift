import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import Testing

/// Environments through the real processes (issue 14 item 5): a gateway and four development
/// signer nodes on loopback. The quorum creates a production vault (the development nodes
/// refuse to hold its shares, so its key is never generated, but the vault and its environment
/// are in every node's state) and registers a staging bot with `custos op propose add-bot …
/// --environment staging`; the bot's request for the production vault, signed and submitted with
/// `custos request submit`, is denied by every node alike, with an explanation naming both
/// environments.
@Suite(.exclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct EnvironmentLoopbackTests {
    @Test func aStagingBotsRequestForAProductionVaultIsDeniedByEveryNode() async throws {
        let cluster = try await LocalCluster(nodeCount: 4)
        var passed = false
        defer { cluster.stopAll(removeData: passed) }
        try await cluster.startGateway()
        for id in cluster.nodeIDs { try cluster.startNode(id) }
        try await TransactionFixture.govern(cluster, "create-hot", ["create-vault", "hot-trading", "ecdsa-secp256k1", "production", "Hot", "trading"])
        try await TransactionFixture.govern(cluster, "add-stage-bot", ["add-bot", "stage-bot", "risk-bot", "--environment", "staging"])
        let registered = try await cluster.waitForGovernance { g in
            g.bots.contains { $0.id == "stage-bot" } && g.vaults.contains { $0.id == "hot-trading" }
        }
        for (id, status) in registered {
            #expect(status.governance?.bots.first { $0.id == "stage-bot" }?.environment == "staging", "\(id)")
            #expect(status.governance?.vaults.first { $0.id == "hot-trading" }?.environment == "production", "\(id)")
        }

        let body = cluster.root.appendingPathComponent("stage-bot-request.json")
        try Data(#"""
            {"id": "stage-1", "kind": "transfer", "initiator": "stage-bot", "vault": "hot-trading", "chain": "ethereum", "asset": "USDC",
             "amount": "10", "destination": "0x2E6D88F471C41BD6DC54146E5EEA659498CCBA8F"}
            """#.utf8).write(to: body)
        let bot = cluster.credentialFile("stage-bot.bot").path
        _ = try await LocalCluster.run(cluster.binary, ["request", "submit", "--gateway", cluster.baseURL, "--bot", bot, body.path])
        let statuses = try await cluster.waitForGovernance { g in g.requests.contains { $0.initiator == "stage-bot" } }
        let expected = "bot stage-bot is a staging bot; vault hot-trading is a production vault, and environments never mix"
        for (id, status) in statuses {
            let request = try #require(status.governance?.requests.first { $0.initiator == "stage-bot" }, "\(id)")
            #expect(request.outcome == "deny" && !request.allowed, "\(id): \(request.outcome)")
            #expect(request.explanation.first == expected, "\(id): \(request.explanation)")
            #expect(request.rules.isEmpty, "\(id): no rule is read")
        }
        passed = true
    }
}
