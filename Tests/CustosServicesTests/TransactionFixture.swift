import AsyncHTTPClient
import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The cluster `TransactionLoopbackTests` share: four nodes and a gateway, the local EVM chain,
/// an ECDSA vault `hot-trading`, the risk bot and an executor bot, a policy that lets the risk
/// bot pay kraken on `devnet` (the local chain) and `localnet` (chain id 31337, no executor)
/// within fee limits and denies look-alike and poisoned destinations, ETH and USDC registered on
/// devnet and ETH on localnet, `custos executor` serving devnet, two watcher bots, every node
/// reading devnet's receipts itself (`--rpc devnet=…`), a policy `monitoring` section watching
/// two contracts eth-tester's fourth account deploys (`monitoredOwnable`, `monitoredProxy`), and
/// every node posting its alerts to a webhook receiver (`webhooks`, Tests/python/webhook_receiver.py).
final class TransactionFixture: Sendable {
    static let kraken = "0x2E6D88F471C41BD6DC54146E5EEA659498CCBA8F"
    /// The USDC token on the local chain: the hand-assembled ERC-20 of Tests/python/evm_token.py
    /// that eth-tester's first account deploys at its nonce 0, minting 600 USDC to the vault.
    static let usdc = "0xF2E246BB76DF876Cef8b38ae84130F4F55De395b"
    /// What the vault holds of it: 600 USDC (6 decimals).
    static let usdcMinted = "600000000"

    /// eth-tester's fourth account (private key 0x…04): it deploys `monitoredOwnable` at its nonce
    /// 0 and `monitoredProxy` at nonce 1 (TransactionLoopbackTests+Monitoring); nothing else uses it.
    static let monitoredDeployerKey = String(repeating: "0", count: 63) + "4"
    static let monitoredOwnable = "0x060cc26038E69D73552679103271eCA6E37D4CE6"
    static let monitoredProxy = "0x8f25c2F7456858f9CAA9F6b4BF4864dB99DF205A"

    let cluster: LocalCluster
    let chain: LocalServer
    /// The webhook receiver every node posts its alerts to.
    let webhooks: LocalServer
    let chainId: Int
    /// The vault key's own EVM address (EIP-55).
    let vaultAddress: String
    var executorKey: String { cluster.credentialFile("executor-bot.bot").path }
    var botKey: String { cluster.credentialFile("risk-bot.bot").path }
    var watcherKey: String { cluster.credentialFile("watcher-bot.bot").path }
    /// A second watcher bot: the policy's `poisoning.min_watchers` is 2 (review helper-58 M2).
    var secondWatcherKey: String { cluster.credentialFile("watcher-bot-2.bot").path }
    /// Milliseconds the gateway, the nodes and the bot add to their clocks for block time
    /// (`--unsafe-test-clock-offset-file`): a test moves block time forward by writing a larger one.
    var clockOffsetFile: URL { Self.clockOffsetFile(cluster) }
    /// Past the example policy's 48-hour cooling-off, in milliseconds.
    static let coolingOffPassed: UInt64 = 48 * 3_600_000 + 60_000
    static func clockOffsetFile(_ cluster: LocalCluster) -> URL { cluster.root.appendingPathComponent("clock-offset") }
    static func clockOffsetArguments(_ cluster: LocalCluster) -> [String] { ["--unsafe-test-clock-offset-file", clockOffsetFile(cluster).path] }

    /// Request `id`'s transaction as node state `g` holds it, without the receipt's checks: those
    /// arrive block by block after "mined", so nodes read at their own heights differ in them
    /// alone. Compare the checks once every node holds all of them.
    static func built(_ g: GovernanceSnapshot?, _ id: String) -> TransactionView? {
        var transaction = g?.requests.first { $0.id == id }?.transaction
        transaction?.receipt?.checks = []
        transaction?.receipt?.verification = ""
        return transaction
    }

    private init(cluster: LocalCluster, chain: LocalServer, webhooks: LocalServer, chainId: Int, vaultAddress: String) {
        self.cluster = cluster
        self.chain = chain
        self.webhooks = webhooks
        self.chainId = chainId
        self.vaultAddress = vaultAddress
    }

    func stop(removeData: Bool) {
        cluster.stopAll(removeData: removeData)
        chain.stop()
        webhooks.stop()
    }

    /// What the webhook receiver took so far.
    func webhookRecords() async throws -> [WebhookRecord] {
        struct Received: Decodable { var received: [WebhookRecord] }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(webhooks.url)/received"), timeout: .seconds(10))
        return try JSONDecoder().decode(Received.self, from: Data(try await response.body.collect(upTo: 1 << 22).readableBytesView)).received
    }

    /// The risk bot's transfer from the vault key's address, submitted with `custos request transfer`; its id.
    func transfer(chain: String, asset: String, to: String, amount: String) async throws -> String {
        let out = try await LocalCluster.run(cluster.binary, [
            "request", "transfer", "--gateway", cluster.baseURL, "--bot", botKey, "--vault", "hot-trading", "--from", "m",
            "--chain", chain, "--asset", asset, "--to", to, "--amount", amount,
        ] + Self.clockOffsetArguments(cluster))
        return try #require(out.split(separator: "\n").first { $0.hasPrefix("request ") }.map { String($0.dropFirst(8)) })
    }

    /// The risk bot's deployment from the vault key's address on devnet, submitted with `custos
    /// request deploy`, expecting `owner()` to answer `ownerWord`; its id.
    func deploy(initCode: String, arguments: String, runtimeCodeHash: String, ownerWord: String) async throws -> String {
        let out = try await LocalCluster.run(cluster.binary, [
            "request", "deploy", "--gateway", cluster.baseURL, "--bot", botKey, "--vault", "hot-trading", "--from", "m", "--chain", "devnet",
            "--init-code", initCode, "--arguments", arguments, "--runtime-code-hash", runtimeCodeHash, "--expect", "owner()=\(ownerWord)",
        ] + Self.clockOffsetArguments(cluster))
        return try #require(out.split(separator: "\n").first { $0.hasPrefix("request ") }.map { String($0.dropFirst(8)) })
    }

    struct Signing: Codable {
        struct Transaction: Codable {
            var kind = 2
            var chainId: Int
            var nonce = "0"
            var maxPriorityFeePerGas = "1000000000"
            var maxFeePerGas = "10000000000"
            var gas = "21000"
            /// Absent for a contract deployment.
            var to: String?
            var value: String
            var data = ""
            var accessList: [String] = []
            /// eth-tester's first pre-funded account: private key 0x…01.
            var key = String(repeating: "0", count: 63) + "1"
        }
        var transactions: [Transaction]
    }

    struct Signed: Codable {
        struct Transaction: Codable { var raw: String }
        var transactions: [Transaction]
    }

    /// Sends the vault's address 10 ETH on the local chain from eth-tester's first account
    /// (signed by eth-account), so that the endpoint can estimate the gas of its calls.
    func fund() async throws {
        try await send(.init(chainId: chainId, nonce: "1", to: String(vaultAddress.dropFirst(2)), value: "10000000000000000000"))
    }

    /// The `result` object of JSON-RPC `method` with `params` (JSON text of the array) on the local chain.
    func rpc(_ method: String, _ params: String) async throws -> [String: Any] {
        let result = try await rpcResult(method, params)
        return try #require(result as? [String: Any], "\(method): \(result)")
    }

    /// The `result` of JSON-RPC `method` with `params` (JSON text of the array) on the local
    /// chain, whatever its JSON type (`NSNull` for null).
    func rpcResult(_ method: String, _ params: String) async throws -> Any {
        var request = HTTPClientRequest(url: chain.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"jsonrpc": "2.0", "id": 1, "method": "\#(method)", "params": \#(params)}"#))
        let answer = try await cluster.send(request)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        return try #require(object["result"], "\(method): \(object)")
    }

    struct TokenCode: Codable { var holder: String; var supply: String; var feeBasisPoints = 0 }
    struct InitCode: Codable { var initCode: String }

    /// Deploys the USDC token from eth-tester's first account at its nonce 0 (so at `usdc`),
    /// minting `usdcMinted` to the vault's address.
    func deployUSDC() async throws {
        let code = try await PythonPeer.call("evm_token.py", TokenCode(holder: String(vaultAddress.dropFirst(2)), supply: Self.usdcMinted),
                                             as: InitCode.self)
        try await send(.init(chainId: chainId, gas: "1000000", to: nil, value: "0", data: code.initCode))
    }

    /// Signs `transaction` with eth-account and sends it to the local chain, which mines it at once.
    func send(_ transaction: Signing.Transaction) async throws {
        let signed = try await PythonPeer.call("evm_tx.py", Signing(transactions: [transaction]), as: Signed.self)
        let raw = try #require(signed.transactions.first?.raw)
        var request = HTTPClientRequest(url: chain.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"jsonrpc": "2.0", "id": 1, "method": "eth_sendRawTransaction", "params": ["0x\#(raw)"]}"#))
        let answer = try await cluster.send(request)
        #expect(answer.status == .ok && !String(decoding: answer.body, as: UTF8.self).contains("error"), "\(String(decoding: answer.body, as: UTF8.self))")
    }

    /// The example policy's people, groups, keys and governance, with the test's assets, address
    /// book, fee limits and rules for bots.
    ///
    /// `coolingOff` adds a `cooling_off` section and `entries` more address-book entries (YAML
    /// lines, indented two spaces).
    static func policy(version: Int, coolingOff: String? = nil, entries: String = "") throws -> String {
        let example = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        let vaults = try #require(example.range(of: "\nvaults: "))
        let addressBook = try #require(example.range(of: "\naddress_book:\n"))
        let keys = try #require(example.range(of: "\n# Key classes"))
        let rules = try #require(example.range(of: "\nrules:\n"))
        let governanceRules = try #require(example.range(of: "  # --- Governance beyond the quorum"))
        return "policy: transactions-test\nversion: \(version)\n" + """

            assets:
              ETH: {chains: [devnet, localnet]}
              USDC: {chains: [devnet]}
            """ + example[vaults.lowerBound..<addressBook.lowerBound] + """

            address_book:
              kraken-devnet: {chain: devnet, address: "\(kraken)", counterparty: kraken, tags: [exchange, tier1]}
              kraken-localnet: {chain: localnet, address: "\(kraken)", counterparty: kraken, tags: [exchange, tier1]}
            \(entries)
            \(coolingOff.map { "cooling_off: \($0)" } ?? "")
            fee_limits:
              devnet: {max_fee_per_gas_gwei: 50, max_priority_fee_per_gas_gwei: 5, max_gas_limit: 200000}
              localnet: {max_fee_per_gas_gwei: 20, max_priority_fee_per_gas_gwei: 2}

            poisoning: {dust_usd: 1, dust: {ETH: 0.001}}
            monitoring:
              alert_within_blocks: 5
              contracts:
                - {name: ownable, chain: devnet, address: "\(monitoredOwnable)", events: [ownership-transferred]}
                - {name: proxy, chain: devnet, address: "\(monitoredProxy)", events: [proxy-upgraded, admin-changed]}
            """ + example[keys.lowerBound..<rules.lowerBound] + """

            rules:
              - name: deny-lookalike-destination
                match: {kind: [transfer, contract_call]}
                when: request.destination_lookalike
                outcome: deny

              - name: deny-poisoned-destination
                match: {kind: [transfer, contract_call], destination: {known: false}}
                when: request.destination_poisoned
                outcome: deny

              - name: deny-bots-to-unknown
                description: Bots only ever pay address-book destinations.
                match: {initiator: {kind: bot}, destination: {known: false}}
                outcome: deny

              - name: allow-risk-bot-local-topups
                match:
                  initiator: {roles: [risk-bot]}
                  vault: [hot-trading]
                  chain: [devnet, localnet]
                  destination: {tags: [exchange]}
                  amount: {up_to: 1000}
                outcome: allow

              - name: allow-risk-bot-deploys
                match: {kind: [deploy], initiator: {roles: [risk-bot]}, vault: [hot-trading], chain: [devnet]}
                outcome: allow

            """ + example[governanceRules.lowerBound...]
    }

    /// Runs one governance operation (erin proposes) to the approvals of `approvers`.
    static func govern(_ cluster: LocalCluster, _ id: String, _ change: [String], approvers: [String] = ["frank", "grace"]) async throws {
        try await cluster.op(["propose", "--as", "erin", "--id", id] + change)
        _ = try await cluster.waitForGovernance { g in g.operations.contains { $0.id == id } }
        for (count, person) in approvers.enumerated() {
            // Signed at the block time the cluster's shared clock offset gives (past the cooling-off, say).
            try await cluster.op(["approve", "--yes", "--as", person, id] + clockOffsetArguments(cluster))
            _ = try await cluster.waitForGovernance { g in
                g.operations.first { $0.id == id }.map { $0.approvals.count > count || $0.status != "proposed" } ?? false
            }
        }
        let statuses = try await cluster.waitForGovernance { g in g.operations.first { $0.id == id }?.status != "proposed" }
        let status = statuses["node-1"]?.governance?.operations.first { $0.id == id }
        #expect(status?.status == "executed", "\(id): \(String(describing: status))")
    }

    static func start() async throws -> TransactionFixture {
        let cluster = try await LocalCluster(nodeCount: 4)
        let chain: LocalServer
        do { chain = try await Blocking.run { try LocalServer.devnet() } } catch {
            cluster.stopAll()
            throw error
        }
        // One webhook secret per node, as the README advises: a receiver then knows which node
        // sent each body (review helper-127 H2).
        let secrets = cluster.root.appendingPathComponent("webhook-secrets")
        let webhooks: LocalServer
        do {
            try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
            for id in cluster.nodeIDs {
                try Data("the transactions suite's webhook secret of \(id) \(UUID().uuidString)\n".utf8)
                    .write(to: secrets.appendingPathComponent("\(id).secret"))
            }
            webhooks = try await Blocking.run { try LocalServer.webhookReceiver(secretFile: secrets.path) }
        } catch {
            cluster.stopAll()
            chain.stop()
            throw error
        }
        do {
            try Data("0".utf8).write(to: clockOffsetFile(cluster))
            // The gateway reads balances on devnet through the local chain (GET /v1/vaults/{id}/balances).
            try await cluster.startGateway(extraArguments: clockOffsetArguments(cluster) + ["--rpc", "devnet=\(chain.url.absoluteString)"])
            // Each node serves its metrics (`LocalCluster.metric`): the alerts are counted there.
            // Each reads receipts from the local chain itself and commits its checks of them.
            for id in cluster.nodeIDs {
                try cluster.startNode(id, extraArguments: clockOffsetArguments(cluster)
                                      + ["--monitor-port", "0", "--monitor-port-file", cluster.root.appendingPathComponent("\(id).monitor").path,
                                         "--rpc", "devnet=\(chain.url.absoluteString)",
                                         "--webhook", "\(webhooks.url)/hook", "--webhook-secret-file", secrets.appendingPathComponent("\(id).secret").path])
            }
        } catch {
            cluster.stopAll()
            chain.stop()
            webhooks.stop()
            throw error
        }
        let fixture: TransactionFixture
        do {
            let chainId = try #require(chain.announcement["chainId"]?.int)
            try await VaultSigningLoopbackTests().vaultAndRiskBot(cluster, "hot-trading", "ecdsa-secp256k1")
            let active = try await cluster.waitForGovernance(seconds: 120) { g in g.vaults.first { $0.id == "hot-trading" }?.status == "active" }
            let vault = try #require(active["node-1"]?.governance?.vaults.first { $0.id == "hot-trading" })
            let address = try #require(vault.addresses.first { $0.chain == "evm" && $0.path == "m" }?.address)
            fixture = TransactionFixture(cluster: cluster, chain: chain, webhooks: webhooks, chainId: chainId, vaultAddress: address)
            // The token first (nonce 0 of the funding account), then the vault's ether for gas.
            try await fixture.deployUSDC()
            try await fixture.fund()
            try await govern(cluster, "add-executor", ["add-bot", "executor-bot", "executor"])
            try await govern(cluster, "add-watcher", ["add-bot", "watcher-bot", "watcher"])
            try await govern(cluster, "add-watcher-2", ["add-bot", "watcher-bot-2", "watcher"])
            let file = cluster.root.appendingPathComponent("transactions-policy.yaml")
            try Data(try policy(version: 100).utf8).write(to: file)
            try await govern(cluster, "transactions-policy", ["change-policy", file.path], approvers: ["frank", "grace", "heidi"])
            // Registering an asset is approved as a policy change is: two admins and a security officer.
            let quorum = ["frank", "grace", "heidi"]
            try await govern(cluster, "devnet-eth", ["register-asset", "devnet", "\(chainId)", "ETH", "native", "18"], approvers: quorum)
            try await govern(cluster, "devnet-usdc", ["register-asset", "devnet", "\(chainId)", "USDC", usdc, "6"], approvers: quorum)
            try await govern(cluster, "localnet-eth", ["register-asset", "localnet", "31337", "ETH", "native", "18"], approvers: quorum)
            // The example genesis policy makes new entries cool off 48h: kraken-devnet and
            // kraken-localnet, added by the test policy, are usable once block time moved past it.
            try Data(String(coolingOffPassed).utf8).write(to: clockOffsetFile(cluster))
            _ = try await cluster.waitForGovernance(seconds: 120) { g in
                g.assets.count == 3 && g.policyVersion == 100 && g.bots.contains { $0.id == "risk-bot" }
            }
            // A transaction the chain holds is stuck after 12 s (nodes accept a fee bump after 10 s of block time).
            try cluster.startExecutor(["--executor", fixture.executorKey, "--chain", "devnet", "--rpc", chain.url.absoluteString, "--stuck-after", "12"]
                                      + clockOffsetArguments(cluster))
        } catch {
            cluster.stopAll(removeData: false)
            chain.stop()
            webhooks.stop()
            throw error
        }
        return fixture
    }
}
