import BigInt
import CustosPolicy
import CustosState

/// What an executor does about a signed transaction that is stuck (not mined long after its
/// broadcast): propose a fee bump, or stop and say why. Every node checks a bump again
/// (`ReplicatedState.acceptParameters`); this only keeps an executor from proposing what they refuse.
public enum TransactionFeeBump: Equatable, Sendable {
    /// Propose these parameters: same nonce, gas limit not lower, fees at least 12.5 % higher.
    case propose(TransactionParameters)
    /// No replacement can be proposed (the fee limit is reached, or the plan was replaced as
    /// often as nodes allow): the reason.
    case stop(String)

    /// The policy's fee limit on one chain, in wei per gas.
    public struct Cap: Equatable, Sendable {
        public var maxFeePerGas: BigUInt
        public var maxPriorityFeePerGas: BigUInt

        public init(maxFeePerGas: BigUInt, maxPriorityFeePerGas: BigUInt) {
            self.maxFeePerGas = maxFeePerGas
            self.maxPriorityFeePerGas = maxPriorityFeePerGas
        }

        /// The `fee_limits` entry of `chain` in the policy `yaml`; nil when the policy has none
        /// for it or does not decode.
        public init?(policyYAML yaml: String, chain: String) {
            guard let document = try? PolicyDocument.decode(yaml: yaml),
                  let limit = document.feeLimits.first(where: { $0.chain.value == chain })
            else { return nil }
            self.init(maxFeePerGas: ReplicatedState.wei(gwei: limit.maxFeePerGasGwei),
                      maxPriorityFeePerGas: ReplicatedState.wei(gwei: limit.maxPriorityFeePerGasGwei))
        }
    }

    /// The fee bump of the signed, stuck transaction `t` (request `id`) from `suggested`, the
    /// parameters made of the endpoint's fees: each fee at least the replacement floor (12.5 %
    /// above the stuck one) and at most the policy's limit `cap`, the nonce the stuck one's and
    /// the gas limit at least its. When even the floor is above the limit, or the plan was
    /// replaced `PlannedTransaction.maximumReplacements` times, it stops.
    public static func plan(_ id: String, _ t: TransactionView, suggested: TransactionParameters, cap: Cap?) -> TransactionFeeBump {
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
        return .propose(TransactionParameters(requestId: id, chainId: suggested.chainId, nonce: old.nonce,
                                              gasLimit: max(suggested.gasLimit, old.gasLimit), maxFeePerGas: fee, maxPriorityFeePerGas: tip))
    }
}
