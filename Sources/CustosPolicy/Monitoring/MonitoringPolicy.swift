/// The policy's `monitoring` section: what watcher bots report of the chain beyond the vaults'
/// own transfers, and how far behind the chain their coverage may fall. Every node derives an
/// alert from a reported event once `poisoning.min_watchers` current watchers reported the same
/// event (`ReplicatedState.applyWatch`); a report of a contract or token no entry names counts
/// for nothing. Without the section nothing is monitored and no `monitoring-lagging` alert is raised.
///
///     monitoring:
///       alert_within_blocks: 5
///       contracts:
///         - {name: vault-admin, chain: ethereum, address: "0x…", events: [ownership-transferred, proxy-upgraded]}
///       large_transfers:
///         - {chain: ethereum, token: "0x…", above: "1000000000000", from: ["0x…"]}
///       vault_transactions: true
///
/// `large_transfers` watches ERC-20 `Transfer` logs of `token` out of the vaults' EVM addresses
/// and the listed treasury addresses (`from`) above `above` base units; `vault_transactions`
/// watches every transaction sent from a vault address: a contract deployment
/// (`vault-deployment`), and one whose hash is not a transaction the log signed
/// (`unsigned-vault-transaction`).
public struct MonitoringPolicy: Sendable, Hashable {
    /// A contract whose events of `events` raise alerts.
    public struct Contract: Sendable, Hashable {
        public let name: String
        public let chain: Spanned<String>
        /// `0x` and 40 lowercase hex digits.
        public let address: String
        public let events: Set<ChainEventClass>
    }

    /// ERC-20 transfers of `token` above `above` base units out of a treasury address.
    public struct LargeTransfer: Sendable, Hashable {
        public let chain: Spanned<String>
        /// `0x` and 40 lowercase hex digits.
        public let token: String
        /// Base units, 1 to 78 decimal digits.
        public let above: String
        /// Treasury addresses besides the vaults' own, lowercase.
        public let from: Set<String>
    }

    /// How many blocks the watchers' coverage of a chain may fall behind the block the same
    /// number of watchers reached before every node raises `monitoring-lagging`; nil when the
    /// section is left out (no lag alert).
    public var alertWithinBlocks: Int?
    public var contracts: [Contract]
    public var largeTransfers: [LargeTransfer]
    public var vaultTransactions: Bool

    /// The default bound when the section leaves `alert_within_blocks` out.
    public static let defaultAlertWithinBlocks = 12
    /// The most contracts and large-transfer entries a document may name.
    public static let maximumEntries = 256

    public init(alertWithinBlocks: Int? = nil, contracts: [Contract] = [], largeTransfers: [LargeTransfer] = [], vaultTransactions: Bool = false) {
        self.alertWithinBlocks = alertWithinBlocks
        self.contracts = contracts
        self.largeTransfers = largeTransfers
        self.vaultTransactions = vaultTransactions
    }

    /// The event classes the section watches at `address` on `chain` (lowercase address).
    public func events(chain: String, contract address: String) -> Set<ChainEventClass> {
        contracts.reduce(into: []) { found, c in if c.chain.value == chain && c.address == address { found.formUnion(c.events) } }
    }

    /// The large-transfer entries for `token` on `chain` (lowercase address).
    public func largeTransfers(chain: String, token: String) -> [LargeTransfer] {
        largeTransfers.filter { $0.chain.value == chain && $0.token == token }
    }

    /// Every address a watcher reads logs of on `chain`: the contracts and the tokens.
    public func watchedAddresses(chain: String) -> Set<String> {
        Set(contracts.filter { $0.chain.value == chain }.map(\.address) + largeTransfers.filter { $0.chain.value == chain }.map(\.token))
    }

    /// What a watcher reads on `chain` for this section, one line each, sorted: each contract with
    /// its event classes, each token with the treasury addresses its transfers are read from, and
    /// whether transactions sent from vault addresses are read. Empty when the section watches
    /// nothing there. A report carries a digest of it (`WatchReport.monitoringDigest`), so that
    /// a watcher that read another section than the policy in force (one a gateway served) has
    /// its report refused by every node.
    public func readScope(chain: String) -> [String] {
        var lines = contracts.filter { $0.chain.value == chain }.map { "contract \($0.address) \($0.events.map(\.rawValue).sorted().joined(separator: ","))" }
        lines += largeTransfers.filter { $0.chain.value == chain }.map { "transfers \($0.token) from \($0.from.sorted().joined(separator: ","))" }
        if vaultTransactions { lines.append("vault-transactions") }
        return Array(Set(lines)).sorted()
    }

    /// The section in words, for a diff: the bound, each contract, each large transfer and the vault watch.
    public var text: String {
        var parts = ["alert_within_blocks \(alertWithinBlocks.map(String.init) ?? "none")"]
        parts += contracts.map { "\($0.name) \($0.chain.value) \($0.address) [\($0.events.map(\.rawValue).sorted().joined(separator: " "))]" }
        parts += largeTransfers.map { "large transfers of \($0.token) on \($0.chain.value) above \($0.above)" + ($0.from.isEmpty ? "" : " from \($0.from.sorted().joined(separator: " "))") }
        parts.append("vault_transactions \(vaultTransactions)")
        return parts.joined(separator: "; ")
    }
}
