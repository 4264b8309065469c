import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// The prices room's transition for `price.post`: applies in full or records the refusal
    /// and changes nothing else. Checks, in order: the envelope's bot is registered
    /// (`unknownBot`), active (`inactiveBot`) and holds the `price` role (`priceRefused`); its
    /// signature verifies with the bot's key and its timestamp is within
    /// `RequestBook.requestClockSkew` of the block time (`requestRefused`, as for a request); the body reads as a
    /// `PricePost` (`invalidRequest`); the price's time is at most `PriceEntry.maximumFutureSkew`
    /// after the block time, no older than the policy's `max_age` (a price that could never
    /// count), and later than the source's last price of the asset, so that no entry is taken
    /// twice (`priceRefused`).
    mutating func applyPrice(_ entry: Entry) -> GovernanceOutcome {
        var source: String? = nil
        do {
            let (post, bot) = try checkPrice(entry, source: &source)
            prices.record(PriceQuote(source: bot.id, usd: post.usd, time: post.time), of: post.asset, environment: bot.environment,
                          policy: policy.document.prices, at: Int64(time / 1000))
            return .priced(asset: post.asset, source: bot.id)
        } catch {
            record(Refusal(blockTime: time, kind: entry.kind, operationId: nil, user: source, error: error))
            return .refused(error)
        }
    }

    private func checkPrice(_ entry: Entry, source: inout String?) throws(GovernanceError) -> (PricePost, GovernedBot) {
        func refused(_ reason: String) -> GovernanceError { GovernanceError(.priceRefused, reason) }
        let (signed, bot) = try verifiedBot(entry, role: PriceEntry.sourceRole, as: "price source", refusal: .priceRefused, source: &source)
        let post = try PricePost(json: signed.body)
        let seconds = Int64(time / 1000)
        guard post.time <= seconds + PriceEntry.maximumFutureSkew else {
            throw refused("the price of \(post.asset) is dated \(post.time), more than \(PriceEntry.maximumFutureSkew) s after the block time \(seconds)")
        }
        guard post.time >= seconds - Int64(policy.document.prices.maxAgeSeconds) else {
            throw refused("the price of \(post.asset) is dated \(post.time), older than the policy's \(policy.document.prices.maxAgeSeconds) s before the block time \(seconds)")
        }
        if let last = prices.board(bot.environment).quotes[post.asset]?[bot.id], post.time <= last.time {
            throw refused("bot \"\(bot.id)\" already posted a price of \(post.asset) dated \(last.time); a new one must be later than that")
        }
        return (post, bot)
    }

    /// The environment whose price bots price `request` (`PriceBook`) and whose watchers' reports
    /// its poisoned test reads (`watches`): its vault's; for a vault the state does not know, its
    /// initiating bot's (the only environment a bot's request may reach), else production, the
    /// strictest (no development or staging bot prices it or clears its destination).
    static func sourceEnvironment(of request: PolicyRequest, vaults: [String: Vault], bots: [String: GovernedBot]) -> DeploymentEnvironment {
        vaults[request.vault]?.environment ?? bots[request.initiator]?.environment ?? .production
    }

    /// `sourceEnvironment(of:vaults:bots:)` with this state's vaults and bots.
    func sourceEnvironment(of request: PolicyRequest) -> DeploymentEnvironment {
        Self.sourceEnvironment(of: request, vaults: vaults, bots: bots)
    }
}
