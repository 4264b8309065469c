import BigInt
import CustosChainsRPC
import CustosClusterAPI
import CustosPolicy
import CustosState

extension ExecutorCommand {
    /// The policy's fee limit on one chain, in wei per gas: no fee bump goes above it (every
    /// node refuses parameters that do).
    struct FeeCap: Equatable {
        var maxFeePerGas: BigUInt
        var maxPriorityFeePerGas: BigUInt

        /// The `fee_limits` entry of `chain` in the policy `yaml`; nil when the policy has none
        /// for it or does not decode.
        init?(policyYAML yaml: String, chain: String) {
            guard let document = try? PolicyDocument.decode(yaml: yaml),
                  let limit = document.feeLimits.first(where: { $0.chain.value == chain })
            else { return nil }
            maxFeePerGas = ReplicatedState.wei(gwei: limit.maxFeePerGasGwei)
            maxPriorityFeePerGas = ReplicatedState.wei(gwei: limit.maxPriorityFeePerGasGwei)
        }

        init(maxFeePerGas: BigUInt, maxPriorityFeePerGas: BigUInt) {
            self.maxFeePerGas = maxFeePerGas
            self.maxPriorityFeePerGas = maxPriorityFeePerGas
        }
    }

    /// What the executor does about a signed transaction that is stuck.
    enum FeeBump: Equatable {
        /// Propose these parameters: same nonce and gas limit, fees at least 12.5 % higher.
        case propose(TransactionParameters)
        /// No replacement can be proposed (the fee limit is reached, or the plan was replaced
        /// as often as nodes allow): the reason, said once.
        case stop(String)
    }

    /// The fee bump of the signed, stuck transaction `t` (request `id`) from `suggested`, the
    /// parameters `proposedParameters` made of the endpoint's fees (already at least the
    /// replacement floor): its fees lowered to the policy's limit `cap` where above it. When
    /// even the floor is above the limit, or the plan was replaced
    /// `PlannedTransaction.maximumReplacements` times, it stops.
    static func feeBump(_ id: String, _ t: TransactionView, suggested: TransactionParameters, cap: FeeCap?) -> FeeBump {
        guard let old = t.parameters, let oldFee = BigUInt(old.maxFeePerGas), let oldTip = BigUInt(old.maxPriorityFeePerGas) else {
            return .stop("request \(id): signed without parameters in the view; no fee bump")
        }
        let replaced = t.replacedTransactions?.count ?? 0
        guard replaced < PlannedTransaction.maximumReplacements else {
            return .stop("request \(id): stuck at nonce \(old.nonce) after \(replaced) fee bumps, the most nodes accept; "
                + "cancel the nonce through governance or wait for the chain")
        }
        guard let cap else { return .stop("request \(id): stuck, and the policy sets no fee limit for \(t.chain): no fee bump") }
        let floorFee = TransactionParameters.replacementFloor(oldFee), floorTip = TransactionParameters.replacementFloor(oldTip)
        guard floorFee <= cap.maxFeePerGas, floorTip <= cap.maxPriorityFeePerGas else {
            return .stop("request \(id): stuck at max fee \(oldFee) wei, priority fee \(oldTip) wei; a replacement needs at least "
                + "\(floorFee) and \(floorTip) wei, above the policy's fee limit on \(t.chain) (\(cap.maxFeePerGas) and "
                + "\(cap.maxPriorityFeePerGas) wei): no more fee bumps")
        }
        let tip = max(min(suggested.maxPriorityFeePerGas, cap.maxPriorityFeePerGas), floorTip)
        let fee = max(min(suggested.maxFeePerGas, cap.maxFeePerGas), floorFee, tip)
        return .propose(TransactionParameters(requestId: id, chainId: suggested.chainId, nonce: old.nonce, gasLimit: max(suggested.gasLimit, old.gasLimit),
                                              maxFeePerGas: fee, maxPriorityFeePerGas: tip))
    }

    /// Whether the transaction this executor first broadcast at `since` (when the chain's
    /// latest block was `block`) is stuck now: not mined within `stuckAfter` seconds, or within
    /// `stuckAfterBlocks` new blocks when that is set.
    static func isStuck(since: ContinuousClock.Instant, block: UInt64, latest: UInt64, stuckAfter: UInt64, stuckAfterBlocks: UInt64?) -> Bool {
        if ContinuousClock.now - since >= .seconds(Int64(min(stuckAfter, UInt64(Int64.max)))) { return true }
        if let stuckAfterBlocks, latest >= block, latest - block >= stuckAfterBlocks { return true }
        return false
    }
}
