/// A Bitcoin network, as its segwit addresses name it (BIP-173 human-readable part).
public enum BitcoinNetwork: String, Sendable, Hashable, CaseIterable {
    case mainnet
    /// Testnet and signet share the prefix.
    case testnet
    case regtest

    /// `bc`, `tb` or `bcrt`.
    public var humanReadablePart: String {
        switch self {
        case .mainnet: return "bc"
        case .testnet: return "tb"
        case .regtest: return "bcrt"
        }
    }
}
