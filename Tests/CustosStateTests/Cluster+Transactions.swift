import BigInt
import Crypto
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Foundation
import Testing

/// Transfers and contract calls for the test cluster: a policy with a USDC token and fee limits,
/// registered assets, an executor bot, and the bodies and parameters entries bots send.
extension Cluster {
    static let usdc = "0x5555555555555555555555555555555555555555"
    static let stranger = "0x9999999999999999999999999999999999999999"

    /// The test policy with USDC on ethereum, ethereum's fee limits (100 gwei cap, 2 gwei
    /// priority, 300,000 gas) and the risk bot allowed up to 10 of anything to exchanges.
    static func transactionPolicy(version: Int = 2) -> String {
        policy(version: version)
            .replacingOccurrences(of: "  ETH: {chains: [ethereum]}\n", with: "  ETH: {chains: [ethereum]}\n  USDC: {chains: [ethereum]}\n")
            .replacingOccurrences(of: "rules:\n", with: """
                fee_limits:
                  ethereum: {max_fee_per_gas_gwei: 100, max_priority_fee_per_gas_gwei: 2, max_gas_limit: 300000}
                rules:
                  - name: bot-calls-usdc
                    match: {kind: [contract_call], initiator: {kind: bot}, call: {targets: ["\(usdc)"], functions: [approve]}}
                    outcome: allow

                """)
    }

    /// Governance executes `change` (frank proposes, grace and erin approve).
    mutating func govern(_ change: GovernanceChange) throws {
        let (p, _) = try propose(change, by: "frank")
        try approve(p, by: "grace")
        try approve(p, by: "erin")
        #expect(status(p) == .executed, "\(change): \(String(describing: state.operations[p.id]?.failure))")
    }

    /// Adopts `transactionPolicy`, registers ETH and USDC on ethereum (chain id 1) and the bots.
    mutating func prepareTransactions(bot: BotSigningKey, executor: BotSigningKey) throws {
        try govern(.changePolicy(yaml: Self.transactionPolicy()))
        try govern(.registerAsset(RegisteredAsset(chain: "ethereum", chainId: 1, symbol: "ETH", contract: nil, decimals: 18)))
        try govern(.registerAsset(RegisteredAsset(chain: "ethereum", chainId: 1, symbol: "USDC", contract: Self.usdc, decimals: 6)))
        try registerBot("risk-bot", key: bot.publicKey)
        try registerBot("executor-bot", key: executor.publicKey, roles: ["executor"])
        executorKey = executor
    }

    /// A transfer body from the vault key's own address of `hot`, by `initiator`.
    static func evmTransfer(
        asset: String = "ETH", amount: String = "1.5", to: String = Cluster.kraken, from: String = "m", initiator: String = "risk-bot",
        extra: [(String, JSONValue)] = []
    ) -> JSONValue {
        let members: [(String, JSONValue)] = [
            ("kind", .string("transfer")), ("id", .string("t-1")), ("initiator", .string(initiator)), ("vault", .string("hot")),
            ("from", .string(from)), ("chain", .string("ethereum")), ("asset", .string(asset)), ("to", .string(to)),
            ("amount", .string(amount)),
        ]
        return .object((members + extra).map { (key: $0.0, value: $0.1) })
    }

    /// A contract call body from the vault key's own address of `hot`.
    static func evmCall(to: String = Cluster.usdc, data: String, value: String = "0") -> JSONValue {
        let members: [(String, JSONValue)] = [
            ("kind", .string("contract_call")), ("initiator", .string("risk-bot")), ("vault", .string("hot")), ("from", .string("m")),
            ("chain", .string("ethereum")), ("to", .string(to)), ("value", .string(value)), ("data", .string(data)),
        ]
        return .object(members.map { (key: $0.0, value: $0.1) })
    }

    /// The simulation of `request` at block 100 signed by `key` for `executor` (this cluster's
    /// executor bot unless named), as a log entry: a success using `gasUsed`, or a revert with
    /// `revertData`; of the plan's transaction (or `intent`), made at `at` (the next block's time
    /// unless given).
    func simulation(
        _ request: String, revertData: [UInt8]? = nil, gasUsed: UInt64 = 21_000, block: UInt64 = 100, chainId: UInt64 = 1,
        executor: String = "executor-bot", key: BotSigningKey? = nil, intent: [UInt8]? = nil, at: UInt64? = nil
    ) throws -> Entry {
        let s = TransactionSimulation(requestId: request, chainId: chainId, blockNumber: block, blockHash: Array(repeating: 0xab, count: 32),
                                      outcome: revertData == nil ? .success : .reverted, gasUsed: gasUsed, revertData: revertData ?? [],
                                      intentDigest: intent ?? state.transactions[request]?.intentDigest ?? Array(repeating: 0, count: 32),
                                      simulatedAt: at ?? now)
        return try TransactionSimulationEntry(s, executor: executor, key: try #require(key ?? executorKey), genesisDigest: state.genesisDigest).entry()
    }

    /// Parameters for `request` signed by `key` for `executor` for this cluster (or the one whose
    /// genesis digest is `genesisDigest`), as a log entry. A new transaction awaiting its
    /// parameters without a successful simulation in the last minute of block time first gets
    /// one from this cluster's executor (applied), as `custos executor` simulates before it
    /// proposes; `TransactionSimulationTests` checks parameters without one.
    mutating func parameters(
        _ request: String, nonce: UInt64, gasLimit: UInt64 = 21_000, maxFee: BigUInt = 50_000_000_000, tip: BigUInt = 1_000_000_000,
        chainId: UInt64 = 1, executor: String = "executor-bot", key: BotSigningKey, genesisDigest: [UInt8]? = nil
    ) throws -> Entry {
        if let plan = state.transactions[request], plan.status == .awaitingParameters, !plan.isCancellation, executorKey != nil,
           plan.simulation?.outcome != .success || now + 1000 > (plan.simulatedAt ?? 0) + 60_000 {
            // As `custos executor` proposes: the estimate plus 20 % for a call.
            let outcome = apply(try simulation(request, gasUsed: plan.data.isEmpty ? gasLimit : gasLimit - gasLimit / 6, chainId: plan.chainId))
            #expect(outcome == .simulated(requestId: request, outcome: .success), "\(outcome)")
        }
        return try TransactionParametersEntry(
            TransactionParameters(requestId: request, chainId: chainId, nonce: nonce, gasLimit: gasLimit, maxFeePerGas: maxFee,
                                  maxPriorityFeePerGas: tip),
            executor: executor, key: key, genesisDigest: genesisDigest ?? state.genesisDigest).entry()
    }

    /// The reason of a refused outcome.
    static func reason(_ outcome: GovernanceOutcome) -> String {
        if case .refused(let e) = outcome { return e.reason }
        return "not refused: \(outcome)"
    }
}
