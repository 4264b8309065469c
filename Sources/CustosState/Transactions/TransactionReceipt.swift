import BigInt
import CustosChains
import CustosCore
import CustosCrypto

/// The receipt of a planned transaction as an executor read it from its chain once it had the
/// configured confirmations: the transaction's hash, the block that includes it, its status, the
/// gas it used and its price, how many logs it emitted (`logCount`) and the first
/// `maximumLogs` of them, each of at most 4 topics, its data cut to `maximumLogData` bytes with
/// its full length and Keccak-256 kept (`Log.init(address:topics:fullData:)`). A receipt is
/// never dropped for its size: one whose logs are not all carried is recorded, and every node
/// finds `too-many-logs` in it. Every node checks that the hash is the one of the raw
/// transaction the plan signed (`ReplicatedState.acceptReceipt`).
public struct TransactionReceipt: Sendable, Hashable, Codable {
    /// One log of the receipt: the emitting contract, its topics and its data (cut to
    /// `maximumLogData` bytes: then `dataLength` is the full length and `dataDigest` the full
    /// data's Keccak-256; else `dataDigest` is empty).
    public struct Log: Sendable, Hashable, Codable {
        public let address: EVM.Address
        public let topics: [[UInt8]]
        public let data: [UInt8]
        public let dataLength: Int
        public let dataDigest: [UInt8]

        /// A log whose data is carried whole.
        public init(address: EVM.Address, topics: [[UInt8]], data: [UInt8]) {
            self.init(address: address, topics: topics, data: data, dataLength: data.count, dataDigest: [])
        }

        /// A log as a receipt carries it: `fullData` cut to `maximumLogData` bytes, with its
        /// length and Keccak-256 where it was cut.
        public init(address: EVM.Address, topics: [[UInt8]], fullData: [UInt8]) {
            if fullData.count <= TransactionReceipt.maximumLogData {
                self.init(address: address, topics: topics, data: fullData)
            } else {
                self.init(address: address, topics: topics, data: Array(fullData.prefix(TransactionReceipt.maximumLogData)),
                          dataLength: fullData.count, dataDigest: Keccak256.hash(fullData))
            }
        }

        init(address: EVM.Address, topics: [[UInt8]], data: [UInt8], dataLength: Int, dataDigest: [UInt8]) {
            self.address = address
            self.topics = topics
            self.data = data
            self.dataLength = dataLength
            self.dataDigest = dataDigest
        }

        /// Whether `data` is the log's whole data.
        public var isWhole: Bool { dataLength == data.count }
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
    /// How many logs the transaction emitted; `logs` holds the first `maximumLogs` of them.
    public let logCount: Int
    public let logs: [Log]

    /// Logs a receipt entry carries: a token transfer emits one, a swap or a Safe call a few.
    public static let maximumLogs = 16
    /// Data bytes of one log carried.
    public static let maximumLogData = 512
    /// Logs the count may name: more than any block's gas can emit.
    public static let maximumLogCount = 1 << 20

    /// A receipt of `allLogs` (as the chain gave them, data whole): it carries the first
    /// `maximumLogs`, each cut as `Log.init(address:topics:fullData:)` says, and their count.
    public init(requestId: String, transactionHash: [UInt8], blockNumber: UInt64, blockHash: [UInt8], succeeded: Bool, gasUsed: UInt64,
                effectiveGasPrice: BigUInt, logs allLogs: [Log]) {
        self.init(requestId: requestId, transactionHash: transactionHash, blockNumber: blockNumber, blockHash: blockHash, succeeded: succeeded,
                  gasUsed: gasUsed, effectiveGasPrice: effectiveGasPrice, logCount: allLogs.count,
                  carried: allLogs.prefix(Self.maximumLogs).map { $0.isWhole ? Log(address: $0.address, topics: $0.topics, fullData: $0.data) : $0 })
    }

    init(requestId: String, transactionHash: [UInt8], blockNumber: UInt64, blockHash: [UInt8], succeeded: Bool, gasUsed: UInt64,
         effectiveGasPrice: BigUInt, logCount: Int, carried: [Log]) {
        self.requestId = requestId
        self.transactionHash = transactionHash
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.succeeded = succeeded
        self.gasUsed = gasUsed
        self.effectiveGasPrice = effectiveGasPrice
        self.logCount = logCount
        self.logs = carried
    }

    /// Whether every log the transaction emitted is carried.
    public var carriesEveryLog: Bool { logCount == logs.count }

    /// SHA-256 of the logs' canonical encoding (as `append(logsTo:)` writes them), as the
    /// receipt entry names it.
    public var logsDigest: [UInt8] {
        var w = CanonicalWriter()
        append(logsTo: &w)
        return Hashes.tagged("custos/receipt/logs.v2", w.bytes)
    }

    /// SHA-256 (tagged `custos/receipt.v2`) of what a receipt says about the transaction's
    /// outcome: the request id, transaction hash, status, gas used and every carried log byte
    /// (`append(logsTo:)`). A node that read the receipt from its own endpoint names it in its
    /// check (`ReceiptCheckEntry`); two readings agree exactly when these do.
    ///
    /// Left out, because honest endpoints may differ on them and none bears on the outcome
    /// (review M3): the block number and hash — until finality a reorg can re-include the same
    /// transaction in another block with the same effects, and the verification against the
    /// intent reads neither; the effective gas price — endpoints derive it differently (some
    /// omit it), and every node already refused a receipt claiming more than the maximum fee
    /// per gas it checked (`acceptReceipt`), which bounds the fee. Gas used stays: the same
    /// execution uses the same gas.
    public var digest: [UInt8] {
        var w = CanonicalWriter()
        w.append(string: requestId)
        w.append(lengthPrefixed: transactionHash)
        w.append(succeeded)
        w.append(gasUsed)
        append(logsTo: &w)
        return Hashes.tagged("custos/receipt.v2", w.bytes)
    }

    /// The request id, transaction hash, block number and hash, status, gas used, effective gas
    /// price (minimal big-endian), then the logs (`append(logsTo:)`).
    func append(to w: inout CanonicalWriter) {
        w.append(string: requestId)
        w.append(lengthPrefixed: transactionHash)
        w.append(blockNumber)
        w.append(lengthPrefixed: blockHash)
        w.append(succeeded)
        w.append(gasUsed)
        w.append(lengthPrefixed: effectiveGasPrice.minimalBigEndianBytes)
        append(logsTo: &w)
    }

    /// The log count, then per carried log its address, topics, data, full data length and
    /// digest of the full data (empty when whole).
    func append(logsTo w: inout CanonicalWriter) {
        w.append(UInt32(logCount))
        w.append(UInt32(logs.count))
        for log in logs {
            w.append(lengthPrefixed: log.address.rawValue)
            w.append(UInt32(log.topics.count))
            for topic in log.topics { w.append(lengthPrefixed: topic) }
            w.append(lengthPrefixed: log.data)
            w.append(UInt32(log.dataLength))
            w.append(lengthPrefixed: log.dataDigest)
        }
    }
}
