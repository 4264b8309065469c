/// The policy's `poisoning` section: which transfers a watcher reports make their counterparty
/// "poisoned" (`request.destination_poisoned`). A transfer of zero, or of dust, between a vault
/// address and a counterparty is the address-poisoning pattern: the counterparty shows up in
/// the vault's history for someone to copy. Dust is at most `dust[asset]` units of an asset the
/// section names, else at most `dustUSD` at the asset's USD price; a transfer of a token that is
/// not a registered asset, or of an asset without a usable price and without its own bound,
/// counts as dust (it fails safe: a flag is only ever more restrictive).
///
///     poisoning: {dust_usd: 1, dust: {ETH: 0.0005, USDC: 1}}
public struct PoisoningPolicy: Sendable, Hashable {
    public var dustUSD: FixedDecimal
    /// Per-asset bounds in the asset's own units, by symbol.
    public var dust: [Spanned<String>: FixedDecimal]

    public init(dustUSD: FixedDecimal = FixedDecimal(1)!, dust: [Spanned<String>: FixedDecimal] = [:]) {
        self.dustUSD = dustUSD
        self.dust = dust
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
