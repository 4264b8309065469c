import BigInt
import CustosChains

/// A transaction of a block body (`eth_getBlockByNumber` with full transactions): the fields a
/// watcher reads to see native transfers.
public struct EVMBlockTransaction: Sendable, Hashable {
    public var hash: [UInt8]
    public var from: EVM.Address
    /// Nil for a contract creation.
    public var to: EVM.Address?
    public var value: BigUInt
}
