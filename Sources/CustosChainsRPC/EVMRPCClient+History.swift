import BigInt
import CustosChains
import CustosCore
import CustosCrypto

extension EVMRPCClient {
    /// The topic of ERC-20's `Transfer(address indexed from, address indexed to, uint256 value)`.
    public static let transferTopic: [UInt8] = Keccak256.hash(Array("Transfer(address,address,uint256)".utf8))

    /// ERC-20 `Transfer` logs of any contract in blocks `from` through `to` whose sender
    /// (`asSender`) or recipient is `address` (`eth_getLogs`, the address in topic 1 or 2).
    public func transferLogs(from: UInt64, to: UInt64, touching address: EVM.Address, asSender: Bool) async throws(EVMRPCError) -> [EVMLog] {
        let padded = JSONValue.string("0x" + String(repeating: "00", count: 12) + address.rawValue.hexString)
        let topics: [JSONValue] = [.string("0x" + Self.transferTopic.hexString)] + (asSender ? [padded] : [.null, padded])
        let filter = JSONValue.object([
            ("fromBlock", EVMBlockTag.number(from).json), ("toBlock", EVMBlockTag.number(to).json), ("topics", .array(topics)),
        ])
        return try await logs(filter)
    }

    /// The logs the contracts `addresses` emitted in blocks `from` through `to` whose topics
    /// match `topics` (`eth_getLogs`: each position one of its values, nil for any); empty
    /// without an address.
    public func logs(from: UInt64, to: UInt64, emittedBy addresses: [EVM.Address], topics: [[[UInt8]]?]) async throws(EVMRPCError) -> [EVMLog] {
        guard !addresses.isEmpty else { return [] }
        return try await logs(.object([
            ("fromBlock", EVMBlockTag.number(from).json), ("toBlock", EVMBlockTag.number(to).json),
            ("address", .array(addresses.map { .string("0x" + $0.rawValue.hexString) })),
            ("topics", .array(topics.map { $0.map { .array($0.map { .string("0x" + $0.hexString) }) } ?? .null })),
        ]))
    }

    /// The logs `eth_getLogs` returns for `filter`, each with its block, block hash, transaction and index.
    private func logs(_ filter: JSONValue) async throws(EVMRPCError) -> [EVMLog] {
        let method = "eth_getLogs"
        guard case .array(let entries) = try await call(method, [filter]) else { throw invalid(method, "expected an array of logs") }
        var logs: [EVMLog] = []
        for entry in entries {
            guard let block = entry["blockNumber"], let hash = entry["transactionHash"], let blockHash = entry["blockHash"], let index = entry["logIndex"] else {
                throw invalid(method, "log lacks blockNumber, blockHash, transactionHash or logIndex")
            }
            logs.append(EVMLog(log: try log(entry, method), blockNumber: try uint64(block, method), transactionHash: try data(hash, method),
                               blockHash: try data(blockHash, method), logIndex: try uint64(index, method)))
        }
        return logs
    }

    /// The hash and timestamp (seconds) of block `number` (`eth_getBlockByNumber`); nil for a
    /// block the node does not have.
    public func blockHeader(_ number: UInt64) async throws(EVMRPCError) -> (hash: [UInt8], timestamp: UInt64)? {
        let method = "eth_getBlockByNumber"
        let block = try await call(method, [EVMBlockTag.number(number).json, .bool(false)])
        if block == .null { return nil }
        guard let hash = block["hash"], let timestamp = block["timestamp"] else { throw invalid(method, "block lacks its hash or timestamp") }
        let bytes = try data(hash, method)
        guard bytes.count == 32 else { throw invalid(method, "the block hash is \(bytes.count) bytes, not 32") }
        return (bytes, try uint64(timestamp, method))
    }

    /// The transactions of block `number` (`eth_getBlockByNumber` with full transactions); empty
    /// for a block the node does not have.
    public func blockTransactions(_ number: UInt64) async throws(EVMRPCError) -> [EVMBlockTransaction] {
        let method = "eth_getBlockByNumber"
        let block = try await call(method, [EVMBlockTag.number(number).json, .bool(true)])
        if block == .null { return [] }
        guard case .array(let entries)? = block["transactions"] else { throw invalid(method, "block lacks its transactions") }
        var transactions: [EVMBlockTransaction] = []
        for entry in entries {
            guard let hash = entry["hash"], let from = entry["from"], let value = entry["value"] else {
                throw invalid(method, "transaction lacks hash, from or value")
            }
            var to: EVM.Address? = nil
            // A contract creation has no recipient (null, or empty data on some nodes).
            if let target = entry["to"], target != .null, target != .string("0x"), target != .string("") { to = try address(target, method) }
            transactions.append(EVMBlockTransaction(hash: try data(hash, method), from: try address(from, method), to: to, value: try quantity(value, method)))
        }
        return transactions
    }
}
