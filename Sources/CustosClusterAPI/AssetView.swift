import CustosState

/// A registered asset as the API shows it (`GET /v1/assets`, `GET /v1/state`).
public struct AssetView: Codable, Sendable, Equatable {
    public var chain: String
    public var chainId: UInt64
    public var symbol: String
    /// EIP-55 token contract; absent for the chain's native asset.
    public var contract: String?
    public var decimals: UInt8

    public init(_ a: RegisteredAsset) {
        chain = a.chain
        chainId = a.chainId
        symbol = a.symbol
        contract = a.contract
        decimals = a.decimals
    }
}
