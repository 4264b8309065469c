import CustosChains
import CustosChainsRPC

/// What `ReceiptChecker` reads of a chain through one of the node's own endpoints: the chain
/// id it serves, a transaction's receipt, the head block and a block's time, and for a
/// deployment the code at an address and a view call's answer at a block. `EVMRPCClient` is
/// the reader a running node uses; tests give scripted ones.
package protocol ReceiptChainReader: Sendable {
    /// The endpoint without credentials, for logs.
    var redactedEndpoint: String { get }
    func chainID() async throws -> UInt64
    /// The receipt, or nil when the endpoint holds none.
    func transactionReceipt(_ hash: [UInt8]) async throws -> EVMReceipt?
    func blockNumber() async throws -> UInt64
    /// The hash and time (seconds) of block `number`; nil for a block the endpoint does not have.
    func blockHeader(_ number: UInt64) async throws -> (hash: [UInt8], timestamp: UInt64)?
    /// The full code at `address` (`eth_getCode`), empty for none.
    func code(_ address: EVM.Address, block: EVMBlockTag) async throws -> [UInt8]
    /// What `eth_call` of `data` to `to` returns; an execution that fails throws an
    /// `EVMRPCError` with code `rpcError`.
    func call(to: EVM.Address, data: [UInt8], from: EVM.Address?, block: EVMBlockTag) async throws -> [UInt8]
}
