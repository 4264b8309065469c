import BigInt

extension EVM {
    /// What a call does, decoded: the structured form the policy engine evaluates and people
    /// read (through `description(using:)`). Built by `IntentDecoder`; a call it does not
    /// recognise is `.unknownCall`, never mistaken for a transfer.
    public struct Intent: Hashable, Sendable {
        /// The called address (nil for contract creation).
        public let target: Address?
        /// Native value sent with the call, in the chain's smallest unit.
        public let value: BigUInt
        public let action: Action

        public init(target: Address?, value: BigUInt, action: Action) {
            self.target = target
            self.value = value
            self.action = action
        }
    }
}
