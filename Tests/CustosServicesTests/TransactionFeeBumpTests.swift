import BigInt
import CustosClusterAPI
import CustosState
import Foundation
import CustosTestSupport
import Testing

/// The executor's fee bump of a stuck transaction (`TransactionFeeBump.plan`): the endpoint's
/// fees, raised to the 12.5 % replacement floor and lowered to the policy's fee limit; it stops,
/// saying why, when even the floor is above the limit or the plan was replaced 8 times.
@Suite struct TransactionFeeBumpTests {
    static let id = String(repeating: "ab", count: 32)

    /// A signed transaction at nonce 4 with 50 gwei max fee, 1 gwei tip and 60,000 gas, replaced `replaced` times.
    static func stuck(replaced: Int = 0) throws -> TransactionView {
        let hashes = (0..<replaced).map { "\"0x\(String(repeating: String(format: "%02x", $0), count: 32))\"" }
        let json = """
            {"status": "signed", "vault": "hot", "chain": "ethereum", "chainId": 1, "from": "0x\(String(repeating: "11", count: 20))",
             "path": "m", "to": "0x\(String(repeating: "22", count: 20))", "value": "0", "data": "0xa9059cbb", "nextNonce": 5, "freeNonces": [],
             "parameters": {"chainId": 1, "nonce": 4, "gasLimit": 60000, "maxFeePerGas": "50000000000", "maxPriorityFeePerGas": "1000000000"}
             \(replaced > 0 ? ", \"replacedTransactions\": [\(hashes.joined(separator: ", "))]" : "")}
            """
        return try JSONDecoder().decode(TransactionView.self, from: Data(json.utf8))
    }

    static func suggested(fee: BigUInt, tip: BigUInt, gas: UInt64 = 50_000) -> TransactionParameters {
        TransactionParameters(requestId: id, chainId: 1, nonce: 9, gasLimit: gas, maxFeePerGas: fee, maxPriorityFeePerGas: tip)
    }

    static let cap = TransactionFeeBump.Cap(maxFeePerGas: 100_000_000_000, maxPriorityFeePerGas: 2_000_000_000)

    @Test func aBumpTakesTheFloorOrTheSuggestionWithinTheLimitAtTheStuckNonce() throws {
        let t = try Self.stuck()
        // The endpoint suggests less than the floor: the floor, at the stuck nonce and gas limit.
        #expect(TransactionFeeBump.plan(Self.id, t, suggested: Self.suggested(fee: 20_000_000_000, tip: 1_000_000_000), cap: Self.cap)
                == .propose(TransactionParameters(requestId: Self.id, chainId: 1, nonce: 4, gasLimit: 60_000, maxFeePerGas: 56_250_000_000,
                                                  maxPriorityFeePerGas: 1_125_000_000)))
        // It suggests more than the limit: the limit.
        #expect(TransactionFeeBump.plan(Self.id, t, suggested: Self.suggested(fee: 400_000_000_000, tip: 9_000_000_000, gas: 70_000), cap: Self.cap)
                == .propose(TransactionParameters(requestId: Self.id, chainId: 1, nonce: 4, gasLimit: 70_000, maxFeePerGas: 100_000_000_000,
                                                  maxPriorityFeePerGas: 2_000_000_000)))
    }

    @Test func itStopsAtTheFeeLimitAfterEightBumpsOrWithoutALimit() throws {
        let tight = TransactionFeeBump.Cap(maxFeePerGas: 56_000_000_000, maxPriorityFeePerGas: 2_000_000_000)
        guard case .stop(let atLimit) = TransactionFeeBump.plan(Self.id, try Self.stuck(), suggested: Self.suggested(fee: 1, tip: 1), cap: tight)
        else { Issue.record("bumped above the limit"); return }
        #expect(atLimit.contains("needs at least 56250000000 and 1125000000 wei, above the policy's fee limit on ethereum") && atLimit.contains("no more fee bumps"))
        guard case .stop(let exhausted) = TransactionFeeBump.plan(Self.id, try Self.stuck(replaced: 8), suggested: Self.suggested(fee: 1, tip: 1), cap: Self.cap)
        else { Issue.record("bumped a ninth time"); return }
        #expect(exhausted.contains("after 8 fee bumps, the most nodes accept"))
        guard case .stop(let noLimit) = TransactionFeeBump.plan(Self.id, try Self.stuck(), suggested: Self.suggested(fee: 1, tip: 1), cap: nil)
        else { Issue.record("bumped without a fee limit"); return }
        #expect(noLimit.contains("the policy sets no fee limit for ethereum"))
    }

    @Test func theLimitIsThePolicysFeeLimitForTheChain() throws {
        let yaml = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        #expect(TransactionFeeBump.Cap(policyYAML: yaml, chain: "ethereum") == .init(maxFeePerGas: 300_000_000_000, maxPriorityFeePerGas: 5_000_000_000))
        #expect(TransactionFeeBump.Cap(policyYAML: yaml, chain: "devnet") == nil)
        #expect(TransactionFeeBump.Cap(policyYAML: "not: [a policy", chain: "ethereum") == nil)
    }
}
