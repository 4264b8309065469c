import CustosChains

/// A log `eth_getLogs` returned: the log itself and where it was emitted.
public struct EVMLog: Sendable, Hashable {
    public var log: EVMReceipt.Log
    public var blockNumber: UInt64
    public var transactionHash: [UInt8]
    /// The hash of the block that holds it.
    public var blockHash: [UInt8]
    /// Its index among the block's logs.
    public var logIndex: UInt64
}
