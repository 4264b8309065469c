import BigInt
import CustosChains
import CustosCore
import CustosCrypto

/// The receipt of a planned transaction as an executor read it from its chain once it had the
/// configured confirmations: the transaction's hash, the block that includes it, its status, the
/// gas it used and its price, and its logs (at most `maximumLogs`, each of at most 4 topics and
/// `maximumLogData` bytes of data). Every node checks that the hash is the one of the raw
/// transaction the plan signed (`ReplicatedState.acceptReceipt`).
public struct TransactionReceipt: Sendable, Hashable {
    /// One log of the receipt: the emitting contract, its topics and its data.
    public struct Log: Sendable, Hashable {
        public let address: EVM.Address
        public let topics: [[UInt8]]
        public let data: [UInt8]

        public init(address: EVM.Address, topics: [[UInt8]], data: [UInt8]) {
            self.address = address
            self.topics = topics
            self.data = data
        }
    }

    public let requestId: String
    public let transactionHash: [UInt8]
    public let blockNumber: UInt64
    public let blockHash: [UInt8]
    /// Whether execution succeeded (receipt status 1).
    public let succeeded: Bool
    public let gasUsed: UInt64
    /// Wei per gas.
    public let effectiveGasPrice: BigUInt
    public let logs: [Log]

    /// Logs a receipt entry carries: a token transfer emits one, a swap or a Safe call a few.
    public static let maximumLogs = 16
    /// Data bytes of one log.
    public static let maximumLogData = 512

    public init(requestId: String, transactionHash: [UInt8], blockNumber: UInt64, blockHash: [UInt8], succeeded: Bool, gasUsed: UInt64,
                effectiveGasPrice: BigUInt, logs: [Log]) {
        self.requestId = requestId
        self.transactionHash = transactionHash
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.succeeded = succeeded
        self.gasUsed = gasUsed
        self.effectiveGasPrice = effectiveGasPrice
        self.logs = logs
    }

    /// SHA-256 of the logs' canonical encoding (count, then per log address, topics, data), as
    /// the receipt entry names it.
    public var logsDigest: [UInt8] {
        var w = CanonicalWriter()
        w.append(UInt32(logs.count))
        for log in logs {
            w.append(lengthPrefixed: log.address.rawValue)
            w.append(UInt32(log.topics.count))
            for topic in log.topics { w.append(lengthPrefixed: topic) }
            w.append(lengthPrefixed: log.data)
        }
        return Hashes.tagged("custos/receipt/logs", w.bytes)
    }
}
