import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import Testing

/// Item 7's fee bump through the real processes, on the suite's shared cluster: the local chain
/// holds a transaction below a minimum fee (`devnet_setMinimumFee`, as a chain whose base fee rose
/// above what the executor read), the executor finds it not mined after `--stuck-after` and
/// replaces it at the same nonce with fees 12.5 % higher within the policy's fee limit, every
/// node checks and the vault signs each replacement, and the one that pays is mined with a
/// receipt every node verified.
extension TransactionLoopbackTests {
    @Test func aTransactionStuckBelowTheBaseFeeIsReplacedWithinTheFeeLimit() async throws {
        try await withCluster { f in
            // The executor's first max fee is twice the next base fee plus the 1 gwei tip, as it
            // reads them now: the chain then holds anything below 1.2 times that, so the first
            // bump (+12.5 %) is held too and the second (+26.6 %) is mined.
            let history = try await f.rpc("eth_feeHistory", #"["0x5", "latest", [50]]"#)
            let nextBase = try #require((history["baseFeePerGas"] as? [String])?.last.flatMap { UInt64($0.dropFirst(2), radix: 16) })
            let first = nextBase * 2 + 1_000_000_000
            let minimum = first * 6 / 5
            _ = try await f.rpcResult("devnet_setMinimumFee", #"["0x\#(String(minimum, radix: 16))"]"#)
            let outcome: Result<Void, any Error>
            do {
                try await stuckTransferIsBumped(f, minimum: minimum)
                outcome = .success(())
            } catch { outcome = .failure(error) }
            _ = try await f.rpcResult("devnet_setMinimumFee", #"["0x0"]"#)
            try outcome.get()
        }
    }

    private func stuckTransferIsBumped(_ f: TransactionFixture, minimum: UInt64) async throws {
        let id = try await f.transfer(chain: "devnet", asset: "ETH", to: TransactionFixture.kraken, amount: "0.25")
        let statuses = try await f.cluster.waitForGovernance(seconds: 180) { g in g.requests.first { $0.id == id }?.transaction?.status == "mined" }
        let reference = try #require(statuses["node-1"]?.governance?.requests.first { $0.id == id }?.transaction)
        for (node, status) in statuses {
            #expect(TransactionFixture.built(status.governance, id) == TransactionFixture.built(statuses["node-1"]?.governance, id),
                    "\(node) holds another plan")
        }
        let replaced = try #require(reference.replacedTransactions, "the first broadcast was replaced")
        #expect(replaced.count == 2, "held at +0 % and +12.5 %, mined at +26.6 %: \(replaced)")
        let p = try #require(reference.parameters)
        let fee = try #require(UInt64(p.maxFeePerGas))
        #expect(fee >= minimum && fee <= 50_000_000_000, "pays the chain's minimum, within devnet's 50 gwei limit: \(fee)")
        let receipt = try #require(reference.receipt)
        #expect(receipt.status == "success" && receipt.transactionHash == reference.transactionHash && receipt.mismatches == [], "\(receipt)")
        // Every node verified it: f+1 nodes read the same receipt from their own endpoints.
        _ = try await f.cluster.waitForGovernance(seconds: 60) { g in g.requests.first { $0.id == id }?.transaction?.receipt?.verification == "confirmed" }
        // The chain mined the last at the plan's nonce, from the vault; the replaced ones are gone.
        let mined = try await f.rpc("eth_getTransactionByHash", #"["\#(reference.transactionHash!)"]"#)
        #expect((mined["from"] as? String)?.lowercased() == f.vaultAddress.lowercased(), "\(mined)")
        #expect(mined["nonce"] as? String == "0x" + String(p.nonce, radix: 16) && mined["blockNumber"] is String, "\(mined)")
        let shown = try await LocalCluster.run(f.cluster.binary, ["request", "show", "--gateway", f.cluster.baseURL, id])
        #expect(shown.contains("replaced    \(replaced[0]) (a fee bump at the same nonce took its place)"), "\(shown)")
        for hash in replaced {
            #expect(try await f.rpcResult("eth_getTransactionByHash", #"["\#(hash)"]"#) is NSNull, "\(hash) was replaced in the pool")
        }
    }
}
