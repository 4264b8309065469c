import BigInt
import CustosCore
import CustosCrypto

extension EVM {
    /// A Safe (Gnosis Safe ≥ 1.3) transaction as its owners sign it: EIP-712 `SafeTx` under
    /// the domain `{chainId, verifyingContract: safe}`.
    public struct SafeTransaction: Hashable, Sendable {
        public var to: Address
        public var value: BigUInt
        public var data: [UInt8]
        public var operation: Operation
        public var safeTxGas: BigUInt
        public var baseGas: BigUInt
        public var gasPrice: BigUInt
        public var gasToken: Address
        public var refundReceiver: Address
        public var nonce: BigUInt

        public init(
            to: Address, value: BigUInt, data: [UInt8], operation: Operation, safeTxGas: BigUInt = 0,
            baseGas: BigUInt = 0, gasPrice: BigUInt = 0, gasToken: Address = .zero,
            refundReceiver: Address = .zero, nonce: BigUInt
        ) {
            self.to = to
            self.value = value
            self.data = data
            self.operation = operation
            self.safeTxGas = safeTxGas
            self.baseGas = baseGas
            self.gasPrice = gasPrice
            self.gasToken = gasToken
            self.refundReceiver = refundReceiver
            self.nonce = nonce
        }

        static let safeTxMembers: [TypedData.Member] = [
            .init(name: "to", type: "address"), .init(name: "value", type: "uint256"),
            .init(name: "data", type: "bytes"), .init(name: "operation", type: "uint8"),
            .init(name: "safeTxGas", type: "uint256"), .init(name: "baseGas", type: "uint256"),
            .init(name: "gasPrice", type: "uint256"), .init(name: "gasToken", type: "address"),
            .init(name: "refundReceiver", type: "address"), .init(name: "nonce", type: "uint256"),
        ]

        /// The EIP-712 typed data the Safe's owners sign.
        public func typedData(chainID: UInt64, safe: Address) -> TypedData {
            TypedData(
                types: [
                    "EIP712Domain": [.init(name: "chainId", type: "uint256"), .init(name: "verifyingContract", type: "address")],
                    "SafeTx": Self.safeTxMembers,
                ],
                primaryType: "SafeTx",
                domain: .object(["chainId": .string(String(chainID)), "verifyingContract": .string(safe.checksummed)]),
                message: .object([
                    "to": .string(to.checksummed), "value": .string(String(value)), "data": .string("0x" + data.hexString),
                    "operation": .integer(Int64(operation.rawValue)), "safeTxGas": .string(String(safeTxGas)),
                    "baseGas": .string(String(baseGas)), "gasPrice": .string(String(gasPrice)),
                    "gasToken": .string(gasToken.checksummed), "refundReceiver": .string(refundReceiver.checksummed),
                    "nonce": .string(String(nonce)),
                ]))
        }

        /// The Safe transaction hash (`getTransactionHash` on-chain).
        public func hash(chainID: UInt64, safe: Address) throws(EVMError) -> [UInt8] {
            try typedData(chainID: chainID, safe: safe).signingHash()
        }
    }
}
