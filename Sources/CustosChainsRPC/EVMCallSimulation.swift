/// What `eth_call` said of a transaction at one block: the block, whether it succeeded, the gas
/// it would use (`eth_estimateGas` at that block; 0 for a revert) and a revert's data.
public struct EVMCallSimulation: Sendable, Hashable {
    public var blockNumber: UInt64
    public var blockHash: [UInt8]
    public var succeeded: Bool
    public var gasUsed: UInt64
    public var revertData: [UInt8]
}
