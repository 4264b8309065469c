import BigInt
import CustosChains
import CustosCore
import CustosCrypto

extension EVMRPCClient {
    public func chainID() async throws(EVMRPCError) -> UInt64 {
        try uint64(await call("eth_chainId", []), "eth_chainId")
    }

    public func blockNumber() async throws(EVMRPCError) -> UInt64 {
        try uint64(await call("eth_blockNumber", []), "eth_blockNumber")
    }

    /// The next nonce for `address` (pending by default, so queued transactions count).
    public func transactionCount(_ address: EVM.Address, block: EVMBlockTag = .pending) async throws(EVMRPCError) -> UInt64 {
        try uint64(await call("eth_getTransactionCount", [.string(address.checksummed), block.json]), "eth_getTransactionCount")
    }

    public func balance(_ address: EVM.Address, block: EVMBlockTag = .latest) async throws(EVMRPCError) -> BigUInt {
        try quantity(await call("eth_getBalance", [.string(address.checksummed), block.json]), "eth_getBalance")
    }

    public func code(_ address: EVM.Address, block: EVMBlockTag = .latest) async throws(EVMRPCError) -> [UInt8] {
        try data(await call("eth_getCode", [.string(address.checksummed), block.json]), "eth_getCode")
    }

    public func maxPriorityFeePerGas() async throws(EVMRPCError) -> BigUInt {
        try quantity(await call("eth_maxPriorityFeePerGas", []), "eth_maxPriorityFeePerGas")
    }

    public func feeHistory(blocks: Int, newest: EVMBlockTag = .latest, percentiles: [Int]) async throws(EVMRPCError) -> EVMFeeHistory {
        let method = "eth_feeHistory"
        let result = try await call(method, [.string("0x" + String(blocks, radix: 16)), newest.json,
                                             .array(percentiles.map { .integer(Int64($0)) })])
        guard case .array(let baseFees)? = result["baseFeePerGas"], let oldest = result["oldestBlock"] else {
            throw invalid(method, "missing baseFeePerGas or oldestBlock")
        }
        var rewards: [[BigUInt]] = []
        if case .array(let rows)? = result["reward"] {
            for row in rows {
                guard case .array(let cells) = row else { throw invalid(method, "reward row is not an array") }
                var parsed: [BigUInt] = []
                for cell in cells { parsed.append(try quantity(cell, method)) }
                rewards.append(parsed)
            }
        }
        var fees: [BigUInt] = []
        for fee in baseFees { fees.append(try quantity(fee, method)) }
        return EVMFeeHistory(oldestBlock: try uint64(oldest, method), baseFeePerGas: fees, reward: rewards)
    }

    /// Next block's base fee (from `eth_feeHistory`, falling back to the latest block's) and a
    /// tip (`eth_maxPriorityFeePerGas`, falling back to the median reward of recent blocks).
    public func feeData() async throws(EVMRPCError) -> EVMFeeData {
        let history = try await feeHistory(blocks: 5, percentiles: [50])
        var baseFee: BigUInt
        if let next = history.baseFeePerGas.last {
            baseFee = next
        } else {
            let block = try await call("eth_getBlockByNumber", [.string("latest"), .bool(false)])
            guard let fee = block["baseFeePerGas"] else {
                throw invalid("eth_getBlockByNumber", "latest block has no base fee (pre-London chain?)")
            }
            baseFee = try quantity(fee, "eth_getBlockByNumber")
        }
        let tip: BigUInt
        do {
            tip = try await maxPriorityFeePerGas()
        } catch where error.code == .rpcError {
            let medians = history.reward.compactMap(\.first).sorted()
            tip = medians.isEmpty ? 0 : medians[medians.count / 2]
        }
        return EVMFeeData(baseFeePerGas: baseFee, maxPriorityFeePerGas: tip)
    }

    /// `eth_call`: the return data of a read-only call.
    public func call(to: EVM.Address, data: [UInt8], from: EVM.Address? = nil, block: EVMBlockTag = .latest) async throws(EVMRPCError) -> [UInt8] {
        var object: [(key: String, value: JSONValue)] = [("to", .string(to.checksummed)), ("data", .string("0x" + data.hexString))]
        if let from { object.append(("from", .string(from.checksummed))) }
        return try self.data(await call("eth_call", [.object(object), block.json]), "eth_call")
    }

    /// `eth_estimateGas` for a call or a deployment (`to` nil).
    public func estimateGas(from: EVM.Address, to: EVM.Address?, value: BigUInt = 0, data: [UInt8] = []) async throws(EVMRPCError) -> UInt64 {
        var object: [(key: String, value: JSONValue)] = [
            ("from", .string(from.checksummed)), ("value", .string("0x" + String(value, radix: 16))),
            ("data", .string("0x" + data.hexString)),
        ]
        if let to { object.append(("to", .string(to.checksummed))) }
        return try uint64(await call("eth_estimateGas", [.object(object)]), "eth_estimateGas")
    }

    /// Broadcasts a signed transaction and returns its hash, which must be the one Custos
    /// computed. A retry that finds the transaction "already known" counts as success.
    public func sendRawTransaction(_ transaction: EVM.SignedTransaction) async throws(EVMRPCError) -> [UInt8] {
        let method = "eth_sendRawTransaction"
        let expected = transaction.hash
        let result: JSONValue
        do {
            result = try await call(method, [.string("0x" + transaction.encoded.hexString)])
        } catch where error.code == .rpcError && error.attempts > 1 && error.reason.lowercased().contains("already known") {
            return expected
        }
        let hash = try data(result, method)
        guard hash == expected else {
            throw invalid(method, "node returned hash 0x\(hash.hexString), expected 0x\(expected.hexString)")
        }
        return hash
    }

    /// The receipt, or nil while the transaction is not yet mined.
    public func transactionReceipt(_ hash: [UInt8]) async throws(EVMRPCError) -> EVMReceipt? {
        let method = "eth_getTransactionReceipt"
        let result = try await call(method, [.string("0x" + hash.hexString)])
        if result == .null { return nil }
        guard let status = result["status"], let block = result["blockNumber"], let gasUsed = result["gasUsed"],
              let txHash = result["transactionHash"]
        else { throw invalid(method, "receipt lacks status, blockNumber, gasUsed or transactionHash") }
        var logs: [EVMReceipt.Log] = []
        if case .array(let entries)? = result["logs"] {
            for entry in entries {
                logs.append(try log(entry, method))
            }
        }
        var contract: EVM.Address? = nil
        if let value = result["contractAddress"], value != .null { contract = try address(value, method) }
        return EVMReceipt(
            transactionHash: try data(txHash, method), blockNumber: try uint64(block, method),
            blockHash: try result["blockHash"].map { v throws(EVMRPCError) in try data(v, method) },
            succeeded: try quantity(status, method) == 1, gasUsed: try uint64(gasUsed, method),
            effectiveGasPrice: try result["effectiveGasPrice"].map { v throws(EVMRPCError) in try quantity(v, method) },
            contractAddress: contract, logs: logs)
    }

    /// Polls for the receipt until it appears or `timeout` passes.
    public func waitForReceipt(_ hash: [UInt8], timeout: Duration = .seconds(60), pollInterval: Duration = .milliseconds(250)) async throws(EVMRPCError) -> EVMReceipt {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if let receipt = try await transactionReceipt(hash) { return receipt }
            guard clock.now < deadline else {
                throw EVMRPCError(.timeout, endpoint: redactedEndpoint, method: "eth_getTransactionReceipt",
                                  reason: "transaction 0x\(hash.hexString) not mined within \(timeout)")
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    // MARK: Result parsing

    /// A log object's address, topics and data.
    func log(_ entry: JSONValue, _ method: String) throws(EVMRPCError) -> EVMReceipt.Log {
        guard let address = entry["address"], case .array(let topics)? = entry["topics"], let logData = entry["data"] else {
            throw invalid(method, "malformed log")
        }
        var parsedTopics: [[UInt8]] = []
        for topic in topics { parsedTopics.append(try data(topic, method)) }
        return EVMReceipt.Log(address: try self.address(address, method), topics: parsedTopics, data: try data(logData, method))
    }

    func invalid(_ method: String, _ reason: String) -> EVMRPCError {
        EVMRPCError(.invalidResponse, endpoint: redactedEndpoint, method: method, reason: reason)
    }

    /// A JSON-RPC quantity: 0x followed by 1–64 hex digits.
    func quantity(_ value: JSONValue, _ method: String) throws(EVMRPCError) -> BigUInt {
        guard case .string(let text) = value, text.hasPrefix("0x"), (3...66).contains(text.count),
              let parsed = BigUInt(text.dropFirst(2), radix: 16)
        else { throw invalid(method, "expected a hex quantity") }
        return parsed
    }

    func uint64(_ value: JSONValue, _ method: String) throws(EVMRPCError) -> UInt64 {
        let parsed = try quantity(value, method)
        guard parsed <= BigUInt(UInt64.max) else { throw invalid(method, "quantity exceeds 64 bits") }
        return UInt64(parsed)
    }

    func data(_ value: JSONValue, _ method: String) throws(EVMRPCError) -> [UInt8] {
        guard case .string(let text) = value, text.hasPrefix("0x"), let bytes = try? [UInt8](hex: text) else {
            throw invalid(method, "expected 0x-prefixed hex data")
        }
        return bytes
    }

    func address(_ value: JSONValue, _ method: String) throws(EVMRPCError) -> EVM.Address {
        guard case .string(let text) = value, let parsed = try? EVM.Address(hex: text) else {
            throw invalid(method, "expected an address")
        }
        return parsed
    }
}
