import BigInt
import CustosChains

/// A transaction receipt (the fields Custos acts on).
public struct EVMReceipt: Sendable, Hashable {
    public struct Log: Sendable, Hashable {
        public var address: EVM.Address
        public var topics: [[UInt8]]
        public var data: [UInt8]

        public init(address: EVM.Address, topics: [[UInt8]], data: [UInt8]) {
            self.address = address
            self.topics = topics
            self.data = data
        }
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

    public init(transactionHash: [UInt8], blockNumber: UInt64, blockHash: [UInt8]?, succeeded: Bool, gasUsed: UInt64,
                effectiveGasPrice: BigUInt?, contractAddress: EVM.Address?, logs: [Log]) {
        self.transactionHash = transactionHash
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.succeeded = succeeded
        self.gasUsed = gasUsed
        self.effectiveGasPrice = effectiveGasPrice
        self.contractAddress = contractAddress
        self.logs = logs
    }
}
