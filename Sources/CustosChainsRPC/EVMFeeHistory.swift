import BigInt

/// `eth_feeHistory`'s answer.
public struct EVMFeeHistory: Sendable, Hashable {
    public var oldestBlock: UInt64
    /// One more entry than blocks: the last is the next block's base fee.
    public var baseFeePerGas: [BigUInt]
    /// Priority fees paid at each requested percentile, per block.
    public var reward: [[BigUInt]]
}
