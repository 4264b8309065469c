/// The policy's `poisoning` section: which transfers a watcher reports make their counterparty
/// "poisoned" (`request.destination_poisoned`). A transfer of zero, or of dust, between a vault
/// address and a counterparty is the address-poisoning pattern: the counterparty shows up in
/// the vault's history for someone to copy. Dust is at most `dust[asset]` units of an asset the
/// section names, else at most `dustUSD` at the asset's USD price; a transfer of a token that is
/// not a registered asset, or of an asset without a usable price and without its own bound,
/// counts as dust (it fails safe: a flag is only ever more restrictive).
///
///
/// With `maxStalenessSeconds` set (always, 10 minutes unless the section says otherwise, when the
/// policy has a `poisoning` section: review H-3), watch data older than that is no answer
/// (security review M4): on a chain with a registered asset whose last covered block
/// (`WatchCoverage`) is older than that in block time, or that nothing covers, the poisoned test
/// of an address not flagged is unknown, so a rule reading it fails closed. Without it (a policy
/// with no `poisoning` section), an address no report flagged is not poisoned however old the data.
///
/// How far a chain is covered is `minWatchers`' business (review helper-58 M2): the poisoned
/// test reads the chain's `EffectiveWatchCoverage`, how far at least that many watchers each
/// reported (2 in a `poisoning` section unless it says otherwise; 1 makes one watcher key
/// decide, and `custos policy check` warns).
///
///     poisoning: {dust_usd: 1, dust: {ETH: 0.0005, USDC: 1}, max_staleness: 30m, min_watchers: 2}
public struct PoisoningPolicy: Sendable, Hashable {
    public var dustUSD: FixedDecimal
    /// Per-asset bounds in the asset's own units, by symbol.
    public var dust: [Spanned<String>: FixedDecimal]
    /// How old, in seconds of block time, a chain's watch coverage may be before the poisoned
    /// test is unknown on it; nil (only without a `poisoning` section): no bound.
    public var maxStalenessSeconds: Int?
    /// How many watchers must each have reported a block before it counts as covered.
    public var minWatchers: Int

    /// The `min_watchers` a `poisoning` section has when it names none.
    public static let defaultMinWatchers = 2

    /// The most `min_watchers` a document may set.
    public static let maximumMinWatchers = 16

    /// The bound a `poisoning` section has when it names none (review H-3: a gateway dropping the
    /// report part that holds the dust must not get the address paid; review helper-58 M1: it
    /// gets it paid for at most this long after the last good coverage, and 12 confirmations
    /// trail Ethereum's head by about 2.5 minutes).
    public static let defaultStalenessSeconds = 600

    /// The longest `max_staleness` a document may set.
    public static let maximumStalenessSeconds = 30 * 86_400

    public init(dustUSD: FixedDecimal = FixedDecimal(1)!, dust: [Spanned<String>: FixedDecimal] = [:], maxStalenessSeconds: Int? = nil, minWatchers: Int = 1) {
        self.dustUSD = dustUSD
        self.minWatchers = minWatchers
        self.dust = dust
        self.maxStalenessSeconds = maxStalenessSeconds
    }

    /// Whether `amount` of `asset` (nil: a token that is not a registered asset) is zero or
    /// dust, with `usd` the price of one unit when the state has a usable one.
    public func isDust(asset: String?, amount: FixedDecimal, usd: FixedDecimal?) -> Bool {
        guard amount > .zero, let asset else { return true }
        if let bound = dust.first(where: { $0.key.value == asset })?.value { return amount <= bound }
        guard let usd, let notional = amount.multiplied(by: usd) else { return true }
        return notional <= dustUSD
    }
}
