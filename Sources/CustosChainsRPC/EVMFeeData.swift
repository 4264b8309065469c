import BigInt

/// What a transaction should pay now.
public struct EVMFeeData: Sendable, Hashable {
    /// Base fee of the next block.
    public var baseFeePerGas: BigUInt
    /// Suggested tip.
    public var maxPriorityFeePerGas: BigUInt
    /// Suggested cap: twice the next base fee plus the tip (room for six full blocks of
    /// base-fee growth at 12.5 % each).
    public var maxFeePerGas: BigUInt { baseFeePerGas * 2 + maxPriorityFeePerGas }
}
