import CustosCore

extension EVM {
    /// One entry of an EIP-2930 access list: an address and the storage slots it touches.
    public struct AccessListEntry: Hashable, Sendable {
        public var address: Address
        /// 32-byte storage keys.
        public var storageKeys: [[UInt8]]

        public init(address: Address, storageKeys: [[UInt8]]) throws(EVMError) {
            guard storageKeys.allSatisfy({ $0.count == 32 }) else {
                throw EVMError(.invalidTransaction, "access-list storage keys are 32 bytes")
            }
            self.address = address
            self.storageKeys = storageKeys
        }
    }
}
