import BigInt

/// What an executor read from its chain endpoint for one approved transfer or call: the nonce,
/// gas limit and EIP-1559 fees, and the chain id they are meant for. Every node checks them
/// against its own state before the transaction is built (`ReplicatedState.acceptParameters`).
public struct TransactionParameters: Sendable, Hashable, Codable {
    public let requestId: String
    public let chainId: UInt64
    public let nonce: UInt64
    public let gasLimit: UInt64
    /// EIP-1559 fee cap and priority fee, in wei per gas.
    public let maxFeePerGas: BigUInt
    public let maxPriorityFeePerGas: BigUInt

    public init(requestId: String, chainId: UInt64, nonce: UInt64, gasLimit: UInt64, maxFeePerGas: BigUInt, maxPriorityFeePerGas: BigUInt) {
        self.requestId = requestId
        self.chainId = chainId
        self.nonce = nonce
        self.gasLimit = gasLimit
        self.maxFeePerGas = maxFeePerGas
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
    }

    /// The least fee a replacement pays where `replaced` paid `fee` (wei per gas): 12.5 % more,
    /// rounded up, which every common mempool accepts as a replacement at the same nonce (geth
    /// asks 10 %, others 12.5 %). A lower bump would be signed — spending a presignature — and
    /// then never relayed while the replaced transaction is pending.
    public static func replacementFloor(_ fee: BigUInt) -> BigUInt {
        fee + (fee + 7) / 8
    }

    /// The least gas limit a contract call may be given where its simulation used `simulated`
    /// gas: 10 % more, rounded down, saturating. Estimates move a little between the simulation
    /// and the block that mines the transaction; a limit below this is likely to run out of gas
    /// and be mined reverted (its fee paid, the alert raised) rather than do what was decided.
    public static func gasFloor(simulated: UInt64) -> UInt64 {
        gas(simulated, plusPercent: 10)
    }

    /// `used` gas plus `percent` % of it, rounded down, saturating at `UInt64.max`: the floor
    /// every node requires (`gasFloor`, +10 %) and the executor's headroom over it (+20 %).
    public static func gas(_ used: UInt64, plusPercent percent: UInt8) -> UInt64 {
        let p = UInt64(percent)
        let (whole, o1) = (used / 100).multipliedReportingOverflow(by: p)
        let (margin, o2) = whole.addingReportingOverflow((used % 100) * p / 100)
        let (sum, o3) = used.addingReportingOverflow(margin)
        return o1 || o2 || o3 ? .max : sum
    }
}
