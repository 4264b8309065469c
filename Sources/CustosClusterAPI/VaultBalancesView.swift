/// A vault's balances on the EVM chains it has addresses on: for each chain with registered
/// assets and an RPC endpoint, each EVM address of the vault with its native balance and its
/// balance of every registered token of that chain, read through that endpoint
/// (`eth_getBalance`, `eth_call` of `balanceOf`) at one block, in the registered decimals.
///
/// What an RPC endpoint says is not state: no node verified it, and `source` says who read it
/// from where. An account or asset the endpoint could not read carries the error instead.
public struct VaultBalancesView: Codable, Sendable, Equatable {
    public struct Balance: Codable, Sendable, Equatable {
        public var symbol: String
        /// EIP-55 token contract; absent for the chain's native asset.
        public var contract: String?
        public var decimals: UInt8
        /// In the asset's units, e.g. `10.25` (nil when `error`).
        public var amount: String?
        /// In base units (wei, the token's smallest unit).
        public var units: String?
        public var error: String?
    }

    public struct Account: Codable, Sendable, Equatable {
        public var chain: String
        public var chainId: UInt64
        public var address: String
        /// BIP-32 notation: `m` for the vault key, `m/0/5` below it.
        public var path: String
        public var label: String?
        /// The block the balances were read at (nil when the endpoint could not be read).
        public var block: UInt64?
        public var balances: [Balance]
        /// Why the endpoint could not be read for this chain, if it could not.
        public var error: String?
    }

    public var vault: String
    /// Who read the balances, from which endpoints, and that no node verified them.
    public var source: String
    public var accounts: [Account]
    /// Chains with registered assets the vault has addresses on but no endpoint was given for.
    public var unread: [String]

    public init(vault: String, source: String, accounts: [Account], unread: [String]) {
        self.vault = vault
        self.source = source
        self.accounts = accounts
        self.unread = unread
    }
}
