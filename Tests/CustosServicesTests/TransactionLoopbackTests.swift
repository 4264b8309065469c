import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import Testing

/// Transfers through the real processes: a gateway and four signer nodes on loopback, the local
/// EVM chain (scripts/evm-devnet.py) and an executor bot (`custos executor`) reading gas and
/// fees from it. A bot's transfer names vault, source address, chain, asset, recipient and
/// amount; every node resolves it, decides it, checks the executor's parameters, builds the
/// EIP-1559 transaction itself and signs its hash with the vault (threshold ECDSA). The suite's
/// tests share one cluster.
// Half a turn: alone, its turn kept the CPU 41 % busy (make test, 2026-12-08).
@Suite(.halfExclusiveProcesses, .serialized, .timeLimit(.minutes(15)))
struct TransactionLoopbackTests {
    /// The cluster the suite's tests share: started by the first that asks, stopped when the
    /// suite's turn ends.
    static let shared = SharedInTurn<TransactionFixture>(make: { try await TransactionFixture.start() },
                                                         end: { fixture, keepData in fixture.stop(removeData: !keepData) })

    func withCluster(_ body: (TransactionFixture) async throws -> Void) async throws {
        let fixture = try await Self.shared.value()
        do { try await body(fixture) } catch {
            await Self.shared.keepData()
            throw error
        }
    }

    /// Tests/python/evm_chain_tx.py's answer: each transaction rebuilt from the chain's fields.
    struct Rebuilt: Codable {
        struct Transaction: Codable { var raw: String; var hash: String; var hashMatches: Bool; var sender: String }
        var transactions: [Transaction]
    }

    struct Decode: Codable { var transactions: [String] = []; var decode: [String] }
    struct Decoded: Codable {
        struct Fields: Codable { var sender: String; var to: String; var value: String; var data: String; var nonce: String; var chainId: String? }
        var decode: [Fields?]
    }

    @Test func aBotsEtherAndTokenTransfersAreSignedWithNoHumanStep() async throws {
        try await withCluster { f in
            let eth = try await f.transfer(chain: "devnet", asset: "ETH", to: TransactionFixture.kraken, amount: "1.5")
            let usdc = try await f.transfer(chain: "devnet", asset: "USDC", to: TransactionFixture.kraken, amount: "250")
            let statuses = try await f.cluster.waitForGovernance(seconds: 120) { g in
                [eth, usdc].allSatisfy { id in g.requests.first { $0.id == id }?.transaction?.status == "mined" }
            }
            let reference = try #require(statuses["node-1"]?.governance)
            for (id, status) in statuses {
                for request in [eth, usdc] {
                    #expect(TransactionFixture.built(status.governance, request) == TransactionFixture.built(reference, request),
                            "\(id) built another transaction")
                }
            }
            let ethTx = try #require(reference.requests.first { $0.id == eth }?.transaction)
            let usdcTx = try #require(reference.requests.first { $0.id == usdc }?.transaction)
            // The suite's other transfers from the same address may come first: consecutive, not 0 and 1.
            let nonces = [ethTx.parameters?.nonce, usdcTx.parameters?.nonce].compactMap { $0 }.sorted()
            #expect(nonces.count == 2 && nonces[1] == nonces[0] + 1, "one sender, consecutive nonces: \(nonces)")
            let signed = reference.requests.first { $0.id == eth }?.signing?.message
            #expect(ethTx.signingHash != nil && ethTx.signingHash == signed.map { "0x" + $0 }, "the vault signed the signing hash every node built")
            // eth-account, independently: the vault's address signed both; to, value and data are the intent.
            let decoded = try await PythonPeer.call("evm_tx.py", Decode(decode: [ethTx.rawTransaction!, usdcTx.rawTransaction!].map { String($0.dropFirst(2)) }),
                                                   as: Decoded.self)
            let vault = f.vaultAddress.dropFirst(2).lowercased()
            let ethFields = try #require(decoded.decode[0])
            #expect(ethFields.sender == vault && ethFields.to == TransactionFixture.kraken.dropFirst(2).lowercased())
            #expect(ethFields.value == "1500000000000000000" && ethFields.data.isEmpty && ethFields.chainId == String(f.chainId))
            let usdcFields = try #require(decoded.decode[1])
            #expect(usdcFields.sender == vault && usdcFields.to == TransactionFixture.usdc.dropFirst(2).lowercased() && usdcFields.value == "0")
            #expect(usdcFields.data == "a9059cbb" + String(repeating: "0", count: 24) + TransactionFixture.kraken.dropFirst(2).lowercased()
                    + String(repeating: "0", count: 64 - 8) + "0ee6b280", "transfer(kraken, 250 × 10⁶)")
            #expect(ethTx.simulation?.outcome == "success" && usdcTx.simulation?.outcome == "success" && usdcTx.simulation!.gasUsed > 21_000,
                    "simulated before the parameters: \(String(describing: usdcTx.simulation))")
            // Broadcast by the executor and mined; the receipt every node kept is of the hash it signed.
            var mined: [[String: Any]] = []
            for tx in [ethTx, usdcTx] {
                let receipt = try #require(tx.receipt)
                #expect(receipt.status == "success" && receipt.transactionHash == tx.transactionHash, "\(receipt)")
                // The chain (py-evm) recovered the same sender from the transaction it mined.
                let onChain = try await f.rpc("eth_getTransactionByHash", #"["\#(tx.transactionHash!)"]"#)
                #expect((onChain["from"] as? String)?.lowercased() == f.vaultAddress.lowercased() && onChain["hash"] as? String == tx.transactionHash,
                        "\(onChain)")
                mined.append(onChain)
            }
            // eth-account, from what the chain holds: the raw transaction rebuilt in Python from the
            // chain's fields (not from Custos' encoding) hashes to the mined hash and recovers the vault.
            let rebuilt = try JSONDecoder().decode(Rebuilt.self, from: try await PythonPeer.run(
                "evm_chain_tx.py", input: try JSONSerialization.data(withJSONObject: ["transactions": mined.map { $0.filter { $0.key != "from" } }])))
            #expect(rebuilt.transactions.count == 2)
            for (tx, r) in zip([ethTx, usdcTx], rebuilt.transactions) {
                #expect(r.hashMatches && r.sender == vault, "\(tx.transactionHash!): \(r)")
                #expect("0x" + r.raw == tx.rawTransaction, "the chain holds the transaction every node signed")
            }
            #expect(ethTx.receipt?.logs.isEmpty == true)
            let transfer = try #require(usdcTx.receipt?.logs.first)
            #expect(usdcTx.receipt?.logs.count == 1 && transfer.address.lowercased() == TransactionFixture.usdc.lowercased())
            #expect(transfer.topics == ["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
                                        "0x" + String(repeating: "0", count: 24) + f.vaultAddress.dropFirst(2).lowercased(),
                                        "0x" + String(repeating: "0", count: 24) + TransactionFixture.kraken.dropFirst(2).lowercased()])
            #expect(transfer.data == "0x" + String(repeating: "0", count: 64 - 8) + "0ee6b280", "Transfer(vault, kraken, 250 × 10⁶)")
            #expect(ethTx.receipt?.mismatches == [] && usdcTx.receipt?.mismatches == [], "verified against the intent")
            // Every node read both receipts from its own endpoint: f+1 = 2 agreeing checks confirm
            // each; once every node holds all four checks, every node holds the same transaction.
            let checked = try await f.cluster.waitForGovernance(seconds: 60) { g in
                [eth, usdc].allSatisfy { id in
                    g.requests.first { $0.id == id }?.transaction?.receipt.map { $0.verification == "confirmed" && $0.checks.count == 4 } == true
                }
            }
            for request in [eth, usdc] {
                let receipt = try #require(checked["node-1"]?.governance?.requests.first { $0.id == request }?.transaction?.receipt)
                #expect(receipt.checks.allSatisfy { $0.agrees && $0.found }, "\(receipt.checks)")
                for (id, status) in checked {
                    #expect(status.governance?.requests.first { $0.id == request }?.transaction?.receipt == receipt, "\(id) holds another receipt or checks")
                }
            }
            let shown = try await LocalCluster.run(f.cluster.binary, ["request", "show", "--gateway", f.cluster.baseURL, eth])
            #expect(shown.contains("transfers   1.5 ETH to") && shown.contains("raw         \(ethTx.rawTransaction!)"), "\(shown)")
            #expect(shown.contains("status      mined, transaction \(ethTx.transactionHash!)"), "\(shown)")
            #expect(shown.contains("simulated   success, gas 21000") && shown.contains("mined       block"), "\(shown)")
            #expect(shown.contains("checked     confirmed; read the same: node-"), "\(shown)")
            let alerts = try await LocalCluster.run(f.cluster.binary, ["alerts", "--json", "--gateway", f.cluster.baseURL])
            #expect(!alerts.contains("receipt-disputed"), "\(alerts)")
        }
    }

    @Test func parametersWithAWrongNonceOrAFeeAboveTheLimitAreRefusedByEveryNode() async throws {
        try await withCluster { f in
            // localnet (chain id 31337) has no executor: parameters come from the command line.
            let id = try await f.transfer(chain: "localnet", asset: "ETH", to: TransactionFixture.kraken, amount: "2")
            _ = try await f.cluster.waitForGovernance { g in g.requests.first { $0.id == id }?.transaction?.status == "awaiting-parameters" }
            func propose(nonce: Int, maxFee: String, tip: String = "1000000000") async throws -> String {
                try await LocalCluster.run(f.cluster.binary, [
                    "request", "parameters", "--gateway", f.cluster.baseURL, "--executor", f.executorKey, "--nonce", "\(nonce)",
                    "--gas-limit", "21000", "--max-fee-per-gas", maxFee, "--max-priority-fee-per-gas", tip, id,
                ])
            }
            // No endpoint either: the executor's simulation is given by hand (every node needs a fresh successful one).
            _ = try await LocalCluster.run(f.cluster.binary, [
                "request", "simulate", "--gateway", f.cluster.baseURL, "--executor", f.executorKey, "--block", "1",
                "--block-hash", "0x" + String(repeating: "11", count: 32), "--gas-used", "21000", id,
            ] + TransactionFixture.clockOffsetArguments(f.cluster))
            _ = try await propose(nonce: 7, maxFee: "2000000000")
            _ = try await propose(nonce: 0, maxFee: "30000000000")
            let statuses = try await f.cluster.waitForGovernance { g in
                g.refusals.filter { $0.kind == "request.parameters" && $0.operationId == id }.count == 2
            }
            for (node, status) in statuses {
                let refusals = status.governance!.refusals.filter { $0.kind == "request.parameters" && $0.operationId == id }.map(\.reason)
                #expect(refusals.first?.contains("nonce 7 is not the next nonce of \(f.vaultAddress) on localnet (0)") == true, "\(node): \(refusals)")
                #expect(refusals.last?.contains("max fee per gas 30000000000 wei exceeds the policy's limit on localnet") == true, "\(node): \(refusals)")
                #expect(status.governance?.requests.first { $0.id == id }?.transaction?.status == "awaiting-parameters", "\(node)")
            }
            _ = try await propose(nonce: 0, maxFee: "2000000000")
            let signed = try await f.cluster.waitForGovernance(seconds: 120) { g in g.requests.first { $0.id == id }?.transaction?.status == "signed" }
            let raw = try #require(signed["node-1"]?.governance?.requests.first { $0.id == id }?.transaction?.rawTransaction)
            let decoded = try await PythonPeer.call("evm_tx.py", Decode(decode: [String(raw.dropFirst(2))]), as: Decoded.self)
            #expect(decoded.decode.first??.chainId == "31337" && decoded.decode.first??.nonce == "0")
            #expect(decoded.decode.first??.sender == f.vaultAddress.dropFirst(2).lowercased())
        }
    }

    @Test func aTransferOutsideTheAddressBookIsDeniedByEveryNodeWithTheSameExplanation() async throws {
        try await withCluster { f in
            // No watcher covers devnet (a chain with a registered asset): the suite's dust test may
            // have run two, so the quorum clears their coverage first, and it has executed
            // before the request is decided. Whether the address is poisoned is then unknown, so
            // that rule fails closed too (review H-3).
            let coverage: WatchCoverageView = try await f.cluster.getJSON("/v1/watch/devnet/coverage?environment=development")
            if !coverage.watchers.isEmpty {
                try await TransactionFixture.govern(f.cluster, "clear-devnet-coverage", ["clear-watch-flag", "devnet", "coverage"],
                                                    approvers: ["frank", "grace", "heidi"])
                let cleared: WatchCoverageView = try await f.cluster.getJSON("/v1/watch/devnet/coverage?environment=development")
                #expect(cleared.watchers.isEmpty && cleared.coveredBlock == nil, "\(cleared)")
            }
            let id = try await f.transfer(chain: "devnet", asset: "ETH", to: "0x5d3a1f7e9c2b4a6d8e0f1a3b5c7d9e1f2a4b6c8d", amount: "1")
            let statuses = try await f.cluster.waitForGovernance { g in g.requests.contains { $0.id == id } }
            let reference = try #require(statuses["node-1"]?.governance?.requests.first { $0.id == id })
            #expect(reference.outcome == "deny" && !reference.allowed && reference.transaction == nil)
            #expect(reference.rules == ["deny-poisoned-destination", "deny-bots-to-unknown"], "\(reference.explanation)")
            #expect(reference.explanation.contains { $0.contains("no watch data for devnet") && $0.contains("whether an address is poisoned is unknown") },
                    "\(reference.explanation)")
            for (node, status) in statuses {
                let r = status.governance?.requests.first { $0.id == id }
                #expect(r?.outcome == "deny" && r?.explanation == reference.explanation && r?.signing == nil, "\(node)")
            }
        }
    }

    /// Item 6: the executor simulates before it proposes parameters. A USDC transfer of more than
    /// the vault holds (600 USDC, minted to it when the token was deployed) reverts on the local
    /// chain: every node ends it unsigned with the token's reason, takes no nonce, and releases
    /// its window charge.
    @Test func aTransferThatRevertsInSimulationIsNeverSigned() async throws {
        try await withCluster { f in
            let id = try await f.transfer(chain: "devnet", asset: "USDC", to: TransactionFixture.kraken, amount: "900")
            let statuses = try await f.cluster.waitForGovernance(seconds: 120) { g in
                g.requests.first { $0.id == id }?.transaction?.status == "reverted-in-simulation"
            }
            for (node, status) in statuses {
                let r = try #require(status.governance?.requests.first { $0.id == id })
                let t = try #require(r.transaction)
                #expect(t.parameters == nil && t.signingHash == nil && r.signing == nil, "\(node): never signed")
                #expect(t.simulation?.outcome == "reverted" && t.simulation?.revertReason == #"Error("ERC20: transfer amount exceeds balance")"#,
                        "\(node): \(String(describing: t.simulation))")
                #expect(t.failure?.contains("took no nonce and stopped counting in the limits") == true, "\(node): \(String(describing: t.failure))")
            }
            let shown = try await LocalCluster.run(f.cluster.binary, ["request", "show", "--gateway", f.cluster.baseURL, id])
            #expect(shown.contains(#"simulated   REVERTED: Error("ERC20: transfer amount exceeds balance")"#), "\(shown)")
        }
    }

    /// Item 7: every node compares the receipt with the intent. A fee-on-transfer token (1 % of
    /// every transfer burned), deployed on the local chain and registered as an asset, delivers
    /// 247.5 of the 250 decided: the transfer is mined, every node records the mismatch (and the
    /// 1 % burned, a transfer out of the vault nobody decided) and raises an alert, which the
    /// nodes' own reading of the chain confirms, shown by `GET /v1/alerts` and `custos alerts` and
    /// counted in each node's metrics.
    @Test func aFeeOnTransferTokenThatDeliversLessIsAMismatchOnEveryNode() async throws {
        try await withCluster { f in
            // eth-tester's first account deployed USDC at nonce 0 and funded the vault at nonce 1.
            let fot = "0xDe09E74d4888Bc4e65F589e8c13Bce9F71DdF4c7"
            let code = try await PythonPeer.call("evm_token.py", TransactionFixture.TokenCode(
                holder: String(f.vaultAddress.dropFirst(2)), supply: "1000000000", feeBasisPoints: 100), as: TransactionFixture.InitCode.self)
            try await f.send(.init(chainId: f.chainId, nonce: "2", gas: "1000000", to: nil, value: "0", data: code.initCode))
            try await TransactionFixture.govern(f.cluster, "devnet-fot", ["register-asset", "devnet", "\(f.chainId)", "FOT", fot, "6"],
                                                approvers: ["frank", "grace", "heidi"])
            let id = try await f.transfer(chain: "devnet", asset: "FOT", to: TransactionFixture.kraken, amount: "250")
            let statuses = try await f.cluster.waitForGovernance(seconds: 120) { g in
                g.requests.first { $0.id == id }?.transaction?.status == "mined"
            }
            for (node, status) in statuses {
                let receipt = try #require(status.governance?.requests.first { $0.id == id }?.transaction?.receipt)
                #expect(receipt.status == "success", "\(node)")
                #expect(receipt.mismatches.map(\.code) == ["transfer-mismatch", "unexpected-transfer"]
                        && receipt.mismatches[0].text.contains("expected one Transfer of 250000000")
                        && receipt.mismatches[0].text.lowercased().contains("247500000 to \(TransactionFixture.kraken.lowercased())"), "\(node): \(receipt.mismatches)")
            }
            let shown = try await LocalCluster.run(f.cluster.binary, ["request", "show", "--gateway", f.cluster.baseURL, id])
            #expect(shown.contains("MISMATCH    transfer-mismatch: expected one Transfer of 250000000"), "\(shown)")
            var alert: AlertView?
            // Raised on the executor's word, then confirmed by f+1 nodes reading the receipt themselves.
            for _ in 0..<60 where alert?.basis != "confirmed" {
                let alerts: [AlertView] = try await f.cluster.getJSON("/v1/alerts")
                alert = alerts.first { $0.request == id }
                if alert?.basis != "confirmed" { try await Task.sleep(for: .seconds(1)) }
            }
            let raised = try #require(alert, "the gateway's committed state shows the alert")
            #expect(raised.kind == "receipt-mismatch" && raised.codes == ["transfer-mismatch", "unexpected-transfer"] && raised.basis == "confirmed"
                    && raised.chain == "devnet" && raised.transactionHash != nil, "\(raised)")
            let listed = try await LocalCluster.run(f.cluster.binary, ["alerts", "--gateway", f.cluster.baseURL])
            #expect(listed.contains("receipt-mismatch") && listed.contains("confirmed") && listed.contains("transfer-mismatch")
                    && listed.contains(String(id.prefix(16))), "\(listed)")
            for node in f.cluster.nodeIDs {
                #expect(try await f.cluster.metric(node, #"custos_node_alerts_total{kind="receipt-mismatch"}"#) >= 1, "\(node)")
            }
        }
    }
}
