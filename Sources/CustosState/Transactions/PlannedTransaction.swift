import BigInt
import CustosChains
import CustosCrypto

/// The EVM transaction of one transfer or contract call request, as every node resolved it
/// from the committed body and the state at its block: sender (a vault address and its
/// derivation path), recipient or contract, value and calldata. The executor's parameters
/// (nonce, gas, fees) complete it; every node then builds the EIP-1559 transaction and its
/// signing hash itself, and records the signed raw transaction once the vault signed it.
public struct PlannedTransaction: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Recorded; waiting for the request to be allowed and for its parameters.
        case awaitingParameters = "awaiting-parameters"
        /// Parameters accepted; the vault is signing the transaction's hash.
        case signing
        /// The signature is in the log; `rawTransaction` is ready to broadcast.
        case signed
        /// The vault could not sign it (`failure` says why).
        case failed
    }

    public let requestId: String
    public let vault: String
    public let chain: String
    public let chainId: UInt64
    /// The sender: an EVM address of the vault (EIP-55) and its derivation path below the vault key.
    public let from: EVM.Address
    public let path: [UInt32]
    /// The `to` of the transaction: the recipient of native value, or the contract called
    /// (for an ERC-20 transfer, the token).
    public let to: EVM.Address
    public let value: BigUInt
    public let data: [UInt8]
    public internal(set) var status: Status
    public internal(set) var parameters: TransactionParameters?
    /// Keccak-256 of the EIP-1559 signing payload, as this node built it.
    public internal(set) var signingHash: [UInt8]?
    /// The signed transaction, RLP with y-parity, r and s (EIP-2718 type 2).
    public internal(set) var rawTransaction: [UInt8]?
    public internal(set) var failure: String?

    /// Gas a plain native transfer (no calldata) uses, and must be given exactly.
    public static let nativeTransferGas: UInt64 = 21_000

    /// The unsigned EIP-1559 transaction these fields and `parameters` define.
    public func transaction(_ p: TransactionParameters) throws(EVMError) -> EVM.Transaction {
        try .eip1559(chainID: p.chainId, nonce: p.nonce, maxPriorityFeePerGas: p.maxPriorityFeePerGas, maxFeePerGas: p.maxFeePerGas,
                     gasLimit: p.gasLimit, to: to, value: value, data: data)
    }

    /// Keccak-256 of the signed transaction: its hash on the chain.
    public var transactionHash: [UInt8]? { rawTransaction.map { Keccak256.hash($0) } }
}
