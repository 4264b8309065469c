import BigInt

extension EVM {
    /// The Safe-specific parameters of `execTransaction` besides the call itself.
    public struct SafeTransactionParameters: Hashable, Sendable {
        public var operation: Operation
        public var safeTxGas: BigUInt
        public var baseGas: BigUInt
        public var gasPrice: BigUInt
        public var gasToken: Address
        public var refundReceiver: Address
        /// Concatenated owner signatures (public data).
        public var signatures: [UInt8]
    }
}
