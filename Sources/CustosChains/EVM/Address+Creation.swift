import CustosCrypto

extension EVM.Address {
    /// The address of the contract a creation transaction (`to` empty) from `sender` at `nonce`
    /// makes: the last 20 bytes of Keccak-256 of the RLP list [sender, nonce] (Ethereum Yellow
    /// Paper §7, CREATE). Known from the transaction alone, before it is signed or mined.
    public static func created(by sender: EVM.Address, nonce: UInt64) -> EVM.Address {
        let encoded = EVM.RLP.encode(.list([.bytes(sender.rawValue), .uint(nonce)]))
        return try! EVM.Address(Keccak256.hash(encoded).suffix(20))
    }
}
