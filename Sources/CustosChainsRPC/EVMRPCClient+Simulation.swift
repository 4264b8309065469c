import BigInt
import CustosChains
import CustosCore

extension EVMRPCClient {
    /// Runs the transaction `from` → `to` (nil: a contract creation, `data` its init code) with `value` and `data` with `eth_call` at the latest
    /// block (read first, so the answer names the block it ran at), and on success estimates its
    /// gas at that block. A JSON-RPC error with code 3 or a message saying "revert" is a revert,
    /// with the revert data the node gave (none if it gave none); any other error is thrown.
    public func simulate(from: EVM.Address, to: EVM.Address?, value: BigUInt, data: [UInt8]) async throws(EVMRPCError) -> EVMCallSimulation {
        let method = "eth_getBlockByNumber"
        let block = try await call(method, [.string("latest"), .bool(false)])
        guard let numberValue = block["number"], let hashValue = block["hash"] else { throw invalid(method, "latest block lacks number or hash") }
        let number = try uint64(numberValue, method)
        let hash = try self.data(hashValue, method)
        guard hash.count == 32 else { throw invalid(method, "a block hash has 32 bytes") }
        let object: [(key: String, value: JSONValue)] = [("from", .string(from.checksummed))] + (to.map { [("to", .string($0.checksummed))] } ?? []) + [
            ("value", .string("0x" + String(value, radix: 16))), ("data", .string("0x" + data.hexString)),
        ]
        let at = EVMBlockTag.number(number).json
        do {
            _ = try await call("eth_call", [.object(object), at])
        } catch where error.code == .rpcError && (error.rpcCode == 3 || error.reason.lowercased().contains("revert")) {
            return EVMCallSimulation(blockNumber: number, blockHash: hash, succeeded: false, gasUsed: 0, revertData: error.rpcData ?? [])
        }
        let gas = try uint64(await call("eth_estimateGas", [.object(object), at]), "eth_estimateGas")
        return EVMCallSimulation(blockNumber: number, blockHash: hash, succeeded: true, gasUsed: gas, revertData: [])
    }
}
