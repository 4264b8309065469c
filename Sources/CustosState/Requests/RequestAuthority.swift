import CustosIdentity
import CustosPolicy

/// What deciding a request reads from the governance room at its block: the policy in force and
/// its version, the freeze flag, the bot and people registries, the relying party people's
/// assertions are checked against, the vaults (a message request must name an active vault
/// whose scheme signs its format), the registered assets (a transfer or call resolves against
/// them) and the cluster's genesis digest, which every request is signed for. A read-only view; the requests room never changes the
/// governance room through it.
struct RequestAuthority {
    let policy: CompiledPolicy
    let policyVersion: Int
    let frozen: Bool
    let bots: [String: GovernedBot]
    let users: [String: GovernedUser]
    let relyingParty: RelyingParty
    let requireUserVerification: Bool
    let vaults: [String: Vault]
    let cluster: [UInt8]
    /// The windows of each environment; a request reads its own environment's
    /// (`ReplicatedState.windowEnvironment`).
    let windows: WindowsRoom
    let prices: PriceBook
    /// The watch room of each environment: the first dust transfers its watchers reported with
    /// counterparties, and their coverage.
    let watches: [DeploymentEnvironment: WatchBook]
    /// The registered assets a transfer or contract call resolves against.
    let assets: [String: RegisteredAsset]
    /// The cooling-off of address-book entries added or changed since genesis, by entry name.
    let addressBook: [String: AddressBookStanding]
    /// The offboardings: bots' keys they made due, destinations under heightened monitoring.
    let offboardings: [String: Offboarding]

    /// Decides a transfer or call request with the policy in force and the freeze flag, at
    /// `blockTime`: while frozen, everything but governance is denied. The initiating bot's key
    /// age is the policy's to judge (`request.initiator_key_past_grace`). A removed bot or person
    /// initiates nothing: its requests are denied as an unknown initiator's, whatever the rules
    /// match on (a rule on the principal's kind still matches a principal without roles).
    /// `deciding` is the log id of a request recorded already (a recheck): the windows are read
    /// without its own charge if it counts already.
    func evaluate(_ request: PolicyRequest, blockTime: UInt64, deciding: String? = nil) -> PolicyDecision {
        if bots[request.initiator]?.active == false || users[request.initiator]?.active == false {
            return .denied(.unknownInitiator)
        }
        return policy.evaluate(request, in: snapshot(for: request, blockTime: blockTime, deciding: deciding))
    }

    /// What the policy reads at `blockTime` for `request`: the time, the freeze flag, its
    /// environment's windows' totals (without `deciding`'s own charge) and what earlier requests
    /// of that environment went to each destination, and the first dust transfer the watchers of its environment reported with each
    /// counterparty, with their coverage (the rooms' own tables, shared, not copied: the
    /// look-alike and poisoned tests read every address the request names), the median price of
    /// its asset posted by the price bots of its environment (or why there is none; its
    /// environment is `ReplicatedState.sourceEnvironment`'s), the address-book
    /// entries cooling off or cancelled now, the environment of the request's vault and, for a
    /// bot, when its key was last set (so its key's rotation status is known).
    /// `environment`, when given, is read instead of the request's for its price and watchers (a
    /// candidate address-book entry has no vault: `ReplicatedState.addressBookWarnings`).
    func snapshot(for request: PolicyRequest, blockTime: UInt64, deciding: String? = nil, environment: DeploymentEnvironment? = nil) -> StateSnapshot {
        let initiator = request.initiator
        let rotated = bots[initiator].map { [initiator: Int64($0.keyRotatedAt / 1000)] } ?? [:]
        let seconds = Int64(blockTime / 1000)
        // The totals and destination history a request reads are its environment's alone.
        let book = windows.book(ReplicatedState.windowEnvironment(of: request, vaults: vaults, bots: bots))
        var snapshot = StateSnapshot(time: seconds, windows: deciding.map(book.totals(releasing:)) ?? book.totals, frozen: frozen, keyRotations: rotated)
        // The price bots and watchers a request's decision reads are those of its environment.
        let environment = environment ?? ReplicatedState.sourceEnvironment(of: request, vaults: vaults, bots: bots)
        if !request.asset.isEmpty {
            switch prices.median(of: request.asset, in: environment, policy: policy.document.prices, at: seconds) {
            case .success(let median):
                snapshot.medians[request.asset] = median
                if let refusal = policy.document.prices.refusal(of: median) {
                    snapshot.priceProblems[request.asset] = refusal.reason
                } else {
                    snapshot.prices[request.asset] = median.usd
                }
            case .failure(let problem):
                snapshot.priceProblems[request.asset] = problem.reason
            }
        }
        snapshot.destinations = book.destinations
        let watch = watches[environment] ?? WatchBook()
        snapshot.appearances = watch.appearances
        snapshot.watchCoverage = watch.coverages(of: bots)
        snapshot.watchOverflows = watch.overflows
        snapshot.watchFloods = watch.floodSets
        for asset in assets.values { snapshot.chainIds[asset.chain] = String(asset.chainId) }
        if let vault = vaults[request.vault] { snapshot.vaultEnvironments[vault.id] = vault.environment }
        for (entry, standing) in addressBook {
            if let hold = standing.hold, hold.refuses(at: seconds) { snapshot.destinationHolds[entry] = hold }
        }
        if let bot = bots[initiator], let due = ReplicatedState.rotationDue(of: bot, in: offboardings) {
            snapshot.keyDueBy[initiator] = Int64(due / 1000)
        }
        // The destination and every recipient the request pays (review of offboarding M2).
        for key in request.recipientKeys {
            // Whole seconds, rounded up: monitored until the millisecond the window ends.
            if let until = ReplicatedState.monitoredUntil(key, at: blockTime, in: offboardings) { snapshot.monitoredDestinations[key] = Int64((until + 999) / 1000) }
        }
        return snapshot
    }
}
