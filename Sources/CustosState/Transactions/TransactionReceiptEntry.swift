import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger

/// The log entry by which an executor bot records the receipt of a broadcast transaction: kind
/// `request.receipt`, payload the receipt, the digest of its logs and the bot's id (canonical
/// encoding), authorization the bot's signature with its registered key over
/// `signingInput(payload:)`. Every node verifies the signature and checks the receipt against
/// the plan in its state transition (`ReplicatedState.acceptReceipt`).
public struct TransactionReceiptEntry: Sendable, Hashable {
    public static let kind = "request.receipt"
    static let payloadTag = "custos.request.receipt.v2"
    /// Payload and authorization together: 16 logs of 4 topics, 512 data bytes and a data
    /// digest (about 730 bytes each), the rest and a signature.
    public static let maximumBytes = 14 * 1024

    public let receipt: TransactionReceipt
    public let executor: String
    public let signature: [UInt8]

    public init(_ receipt: TransactionReceipt, executor: String, signature: [UInt8]) {
        self.receipt = receipt
        self.executor = executor
        self.signature = signature
    }

    /// The receipt read by `executor` for the cluster whose genesis digest is `genesisDigest`, signed with its key.
    public init(_ receipt: TransactionReceipt, executor: String, key: BotSigningKey, genesisDigest: [UInt8]) {
        let payload = Self.payload(receipt, executor: executor)
        self.init(receipt, executor: executor, signature: key.signature(for: Self.signingInput(payload: payload, genesisDigest: genesisDigest)))
    }

    /// What the executor's key signs: the cluster's genesis digest and the payload under their own domain tag.
    public static func signingInput(payload: [UInt8], genesisDigest: [UInt8]) -> [UInt8] {
        Hashes.tagged("custos/request/receipt", genesisDigest, payload)
    }

    static func payload(_ r: TransactionReceipt, executor: String, logsDigest: [UInt8]? = nil) -> [UInt8] {
        var w = CanonicalWriter(tag: payloadTag)
        r.append(to: &w)
        w.append(lengthPrefixed: logsDigest ?? r.logsDigest)
        w.append(string: executor)
        return w.bytes
    }

    /// The log entry.
    public func entry() throws(LedgerError) -> Entry {
        try Entry(kind: Self.kind, payload: Self.payload(receipt, executor: executor), authorization: signature)
    }

    /// Decodes an entry strictly; `malformed` for anything but this kind with a request id of 64
    /// lowercase hex digits, 32-byte hashes, a gas price in minimal encoding, a log count of at
    /// most `TransactionReceipt.maximumLogCount` with the first `TransactionReceipt.maximumLogs`
    /// of them carried (no fewer), each of a 20-byte address, at most 4 topics of 32 bytes and
    /// its data whole (no digest) or cut to exactly `TransactionReceipt.maximumLogData` bytes of a
    /// longer whole (a 32-byte digest), and a logs digest that is the logs' own.
    public init(_ entry: Entry) throws(GovernanceError) {
        guard entry.kind == Self.kind else { throw GovernanceError(.malformed, "\"\(entry.kind.printable(limit: 64))\" is not \(Self.kind)") }
        var r = try GovernanceReader(entry.payload, tag: Self.payloadTag, what: "\(Self.kind) payload")
        let id = try r.string("request id", max: 64)
        let hash = try r.bytes("transaction hash", max: 32)
        let block = try r.uint64("block number")
        let blockHash = try r.bytes("block hash", max: 32)
        let succeeded = try r.bool("status")
        let gasUsed = try r.uint64("gas used")
        let price = try r.bytes("effective gas price", max: 32)
        let logCount = Int(try r.uint32("log count"))
        guard logCount <= TransactionReceipt.maximumLogCount else {
            throw GovernanceError(.malformed, "a receipt names at most \(TransactionReceipt.maximumLogCount) logs, not \(logCount)")
        }
        let count = try r.count("carried log count", max: TransactionReceipt.maximumLogs)
        guard count == min(logCount, TransactionReceipt.maximumLogs) else {
            throw GovernanceError(.malformed, "a receipt of \(logCount) logs carries the first \(min(logCount, TransactionReceipt.maximumLogs)), not \(count)")
        }
        var logs: [TransactionReceipt.Log] = []
        for i in 0..<count {
            let address = try r.bytes("log \(i) address", max: 20)
            let topicCount = try r.count("log \(i) topic count", max: 4)
            var topics: [[UInt8]] = []
            for t in 0..<topicCount {
                let topic = try r.bytes("log \(i) topic \(t)", max: 32)
                guard topic.count == 32 else { throw GovernanceError(.malformed, "log \(i) topic \(t) has \(topic.count) bytes, not 32") }
                topics.append(topic)
            }
            let data = try r.bytes("log \(i) data", max: TransactionReceipt.maximumLogData)
            let dataLength = Int(try r.uint32("log \(i) data length"))
            let dataDigest = try r.bytes("log \(i) data digest", max: 32)
            let whole = dataLength == data.count && dataDigest.isEmpty
            let cut = dataLength > TransactionReceipt.maximumLogData && data.count == TransactionReceipt.maximumLogData && dataDigest.count == 32
            guard whole || cut else {
                throw GovernanceError(.malformed, "log \(i) carries \(data.count) of \(dataLength) data bytes with a \(dataDigest.count)-byte digest: "
                                      + "a log's data is whole, or its first \(TransactionReceipt.maximumLogData) bytes with the whole's 32-byte digest")
            }
            do {
                logs.append(TransactionReceipt.Log(address: try EVM.Address(address), topics: topics, data: data, dataLength: dataLength, dataDigest: dataDigest))
            } catch {
                throw GovernanceError(.malformed, "log \(i) address: \(error.reason)")
            }
        }
        let logsDigest = try r.bytes("logs digest", max: 32)
        let executor = try r.string("executor", max: 128)
        try r.finish()
        guard RequestDecisionEntry.isValidId(id) else { throw GovernanceError(.malformed, "a request id is 64 lowercase hex digits") }
        guard hash.count == 32, blockHash.count == 32 else { throw GovernanceError(.malformed, "a transaction or block hash has 32 bytes") }
        guard price.first != 0 else { throw GovernanceError(.malformed, "the gas price is encoded without leading zeros") }
        let receipt = TransactionReceipt(requestId: id, transactionHash: hash, blockNumber: block, blockHash: blockHash, succeeded: succeeded,
                                         gasUsed: gasUsed, effectiveGasPrice: BigUInt(bigEndian: price), logCount: logCount, carried: logs)
        guard logsDigest == receipt.logsDigest else { throw GovernanceError(.malformed, "the logs digest is not the digest of the logs carried") }
        self.init(receipt, executor: executor, signature: entry.authorization)
    }

    /// The executor bot, read from the entry alone (its row of `ReplicatedState.entryKinds`).
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        let decoded = try TransactionReceiptEntry(entry)
        guard !decoded.signature.isEmpty else {
            throw GovernanceError(.unsigned, "a \(kind) entry is authorized by the executor bot's signature; this one carries none")
        }
        return EntrySigner(role: .bot, id: decoded.executor)
    }
}
