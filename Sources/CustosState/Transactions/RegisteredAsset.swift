/// An asset a vault may move on one EVM chain, registered through governance
/// (`op propose register-asset`): the chain by the name the policy uses and its EIP-155 chain
/// id, the symbol the policy matches, the token contract (nil for the chain's native asset) and
/// its decimals. So "USDC on base" names exactly one contract and one unit, on every node.
public struct RegisteredAsset: Sendable, Hashable, Codable {
    /// The chain's name as the policy writes it (`ethereum`, `base`, `devnet`).
    public let chain: String
    /// EIP-155 chain id; every asset of one chain name carries the same one.
    public let chainId: UInt64
    public let symbol: String
    /// EIP-55 address of the ERC-20 contract; nil for the native asset (ETH on Ethereum).
    public let contract: String?
    /// Decimals of the smallest unit (18 for ETH, 6 for USDC); at most `maximumDecimals`, so
    /// every amount in base units is exact in the policy's fixed-point decimals.
    public let decimals: UInt8

    public static let maximumDecimals: UInt8 = 18
    /// Chain names and symbols: 1 to 32 bytes of letters, digits, `-`, `_` and `.`.
    public static let maximumNameBytes = 32

    public init(chain: String, chainId: UInt64, symbol: String, contract: String?, decimals: UInt8) {
        self.chain = chain
        self.chainId = chainId
        self.symbol = symbol
        self.contract = contract
        self.decimals = decimals
    }

    /// The key of the registry (`ReplicatedState.assets`): `chain/symbol`.
    public var key: String { Self.key(chain: chain, symbol: symbol) }

    public static func key(chain: String, symbol: String) -> String { "\(chain)/\(symbol)" }

    /// Whether `name` may name a chain or an asset.
    public static func isName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maximumNameBytes
            && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0) || $0 == 0x2d || $0 == 0x5f || $0 == 0x2e }
    }
}
