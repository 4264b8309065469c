import CustosCrypto

extension EVM {
    /// EIP-191 signed data.
    public enum PersonalMessage {
        /// Version 0x45 (`personal_sign`): keccak256("\u{19}Ethereum Signed Message:\n" ‖
        /// decimal length ‖ message).
        public static func hash(_ message: some Collection<UInt8>) -> [UInt8] {
            Keccak256.hash(Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8) + message)
        }

        /// Version 0x00 (data with intended validator): keccak256(0x19 ‖ 0x00 ‖ validator ‖ data).
        public static func hash(intendedValidator: Address, data: some Collection<UInt8>) -> [UInt8] {
            Keccak256.hash([0x19, 0x00] + intendedValidator.rawValue + data)
        }
    }
}
