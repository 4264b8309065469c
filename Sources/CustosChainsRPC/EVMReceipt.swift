import BigInt
import CustosChains

/// A transaction receipt (the fields Custos acts on).
public struct EVMReceipt: Sendable, Hashable {
    public struct Log: Sendable, Hashable {
        public var address: EVM.Address
        public var topics: [[UInt8]]
        public var data: [UInt8]
    }

    public var transactionHash: [UInt8]
    public var blockNumber: UInt64
    /// The including block's hash (nil where the endpoint gave none).
    public var blockHash: [UInt8]?
    /// true when execution succeeded (status 1).
    public var succeeded: Bool
    public var gasUsed: UInt64
    public var effectiveGasPrice: BigUInt?
    public var contractAddress: EVM.Address?
    public var logs: [Log]
}
