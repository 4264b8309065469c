/// The part of the replicated state a decision depends on, as of the log entry being decided:
/// the entry's time (from the block, never a wall clock), USD prices (and where they came from,
/// or why an asset has none), rolling-window totals, what earlier requests went to the
/// destination, the first dust transfer watchers reported with it and whether it is still
/// cooling off, whether signing is frozen, and when bots' keys were last rotated. Two nodes
/// holding the same snapshot reach the same decision.
public struct StateSnapshot: Sendable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z of the log entry.
    public var time: Int64
    /// USD price of one unit of each asset, by asset symbol.
    public var prices: [String: FixedDecimal]
    /// Totals already spent in each limit's window, before this request.
    public var windows: WindowTotals
    /// Whether a security officer has frozen signing.
    public var frozen: Bool
    /// When each bot's request-signing key was last set (registered or rotated), in seconds
    /// since 1970-01-01T00:00:00Z of the block that set it, by bot id. A bot missing here has
    /// no known key age (`request.initiator_key_age_days` fails closed).
    public var keyRotations: [String: Int64]
    /// When a bot's key became due early, whatever its class's period (an offboarding of a
    /// person who administered it), in seconds, by bot id: its grace period runs from there.
    public var keyDueBy: [String: Int64] = [:]
    /// Destinations under heightened monitoring after an offboarding, by
    /// `PolicyRequest.destinationKey`, with the end of their window in seconds: what
    /// `request.destination_touched_by_offboarded` reads.
    public var monitoredDestinations: [String: Int64] = [:]
    /// The medians behind `prices`, by asset, for explanations (an asset may be priced without
    /// one, as in a snapshot written by hand).
    public var medians: [String: PriceMedian] = [:]
    /// Why an asset has no price, by asset: the reason its USD clauses fail closed with.
    public var priceProblems: [String: String] = [:]
    /// Earlier requests approved for signing, by `PolicyRequest.destinationKey`; a destination
    /// missing here has had none.
    public var destinations: [String: DestinationHistory] = [:]
    /// The first zero-value or dust transfer watchers reported with each counterparty, by
    /// `PolicyRequest.destinationKey`; a destination missing here had none.
    public var appearances: [String: AddressAppearance] = [:]
    /// The dust counterparties of floods beyond the detailed `appearances`, by chain name
    /// (`WatchFloodSet`): a member is poisoned like a flagged address.
    public var watchFloods: [String: WatchFloodSet] = [:]
    /// How far each current watcher's reports cover each chain, by chain name, then watcher; a
    /// chain missing here was never covered (`PoisoningPolicy.maxStalenessSeconds`). The poisoned
    /// test reads their `EffectiveWatchCoverage` under `poisoning.min_watchers`.
    public var watchCoverage: [String: [String: WatchCoverage]] = [:]
    /// Chains whose watch room left dust counterparties out (its flood set full), by chain name
    /// (`WatchOverflow`): the poisoned test of an address no report flagged is unknown there.
    public var watchOverflows: [String: WatchOverflow] = [:]
    /// The chain id (decimal) of each chain with a registered asset, by chain name: the chains
    /// watchers can cover, and how a message's EIP-712 domain names one.
    public var chainIds: [String: String] = [:]
    /// Address-book entries that are cooling off or were cancelled, by entry name: a transfer,
    /// call or message whose destination or other recipient is one of them is denied while the
    /// hold refuses it, whatever the rules say, and `address_tags` of its address fails.
    public var destinationHolds: [String: DestinationHold] = [:]
    /// The environment of each vault the state knows, by vault id: a request from such a vault
    /// needs an initiator of its environment, and counts only approvals from people whose
    /// roles act in it. A vault missing here (the policy's alone) is not checked.
    public var vaultEnvironments: [String: DeploymentEnvironment] = [:]

    public init(
        time: Int64, prices: [String: FixedDecimal] = [:], windows: WindowTotals = WindowTotals(),
        frozen: Bool = false, keyRotations: [String: Int64] = [:]
    ) {
        self.keyRotations = keyRotations
        self.time = time
        self.prices = prices
        self.windows = windows
        self.frozen = frozen
    }
}
