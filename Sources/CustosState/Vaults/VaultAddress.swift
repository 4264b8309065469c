/// A labelled address of a vault, recorded by the governed operation `add-vault-address`: the
/// key at a non-hardened derivation path below the vault key, in one chain's address format.
/// Every node derived `address` itself from the vault key and chain code when it executed the
/// operation; nothing of it comes from the proposer but the label, chain and path.
public struct VaultAddress: Sendable, Hashable, Codable {
    /// An address format, and the vault scheme whose keys it spells.
    public enum Chain: String, Sendable, Hashable, CaseIterable, Codable {
        /// EIP-55 checksummed `0x…` (Ethereum and EVM chains), for `ecdsa-secp256k1` vaults.
        case evm
        /// Taproot key-path `bc1p…` (BIP-341, BIP-350), for `frost-taproot` vaults.
        case bitcoin
        /// Taproot key-path `tb1p…` (testnet and signet).
        case bitcoinTestnet = "bitcoin-testnet"
        /// Taproot key-path `bcrt1p…` (regtest).
        case bitcoinRegtest = "bitcoin-regtest"
        /// Base58 of the 32-byte Ed25519 key (Solana), for `frost-ed25519` vaults.
        case solana

        /// The scheme of the vaults whose keys this format spells.
        public var scheme: Vault.Scheme {
            switch self {
            case .evm: return .ecdsaSecp256k1
            case .bitcoin, .bitcoinTestnet, .bitcoinRegtest: return .frostTaproot
            case .solana: return .frostEd25519
            }
        }
    }

    public let label: String
    public let chain: Chain
    /// Child indices from the vault key, each below 2³¹; empty for the vault key itself.
    public let path: [UInt32]
    public let address: String
    /// The operation that recorded it, and the block time and height at which it executed.
    public let operationId: String
    public let createdAt: UInt64
    public let createdHeight: UInt64

    /// Derivation paths have at most 8 levels.
    public static let maximumDepth = 8
    /// Labels are 1 to 64 bytes of printable ASCII.
    public static let maximumLabelBytes = 64

    /// `m/0/5` (`m` for the vault key itself), BIP-32's notation.
    public static func pathDescription(_ path: [UInt32]) -> String {
        (["m"] + path.map { $0 >= 0x8000_0000 ? "\($0 - 0x8000_0000)'" : "\($0)" }).joined(separator: "/")
    }
}
