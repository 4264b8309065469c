/// Everything one evaluation reads, resolved once per request: the request, the snapshot, and
/// the request's names looked up in the policy's indices. Built by `CompiledPolicy.evaluate`.
struct EvaluationContext {
    let policy: CompiledPolicy
    let request: PolicyRequest
    let state: StateSnapshot
    let initiator: Int
    let chain: Int
    let asset: Int
    let vault: Int
    /// Address-book entry of the destination on the request's chain, or -1.
    let entry: Int
    let destinationAddress: String
    /// Every address the request sends value or grants authority to, normalized, each once:
    /// the destination, `request.recipients`, then an EIP-712 message's address leaves in the
    /// order of their paths.
    let recipients: [String]
    /// The look-alike and poisoned findings among `recipients` outside the address book, in
    /// their order (`CompiledPolicy.flag`).
    let flags: [RecipientFlag]
    /// USD notional, or nil with `usdProblem` saying why it is unknown.
    let amountUSD: FixedDecimal?
    let usdProblem: String?
    /// The initiator's roles that act in `environment` (empty for an unknown initiator).
    let roles: BitSet
    /// The environment of the request's vault, when the state knows the vault; nil for
    /// governance.
    let environment: DeploymentEnvironment?
    let minuteOfDay: Int
    /// 0 = Monday … 6 = Sunday, in UTC.
    let weekday: Int

    static let emptyRoles = BitSet(capacity: 0)

    init(policy: CompiledPolicy, request: PolicyRequest, state: StateSnapshot) {
        self.policy = policy
        self.request = request
        self.state = state
        initiator = policy.users.lookup(request.initiator)
        environment = request.kind == .governance ? nil : state.vaultEnvironments[request.vault]
        roles = initiator >= 0 ? policy.actingRoles(of: initiator, in: environment) : Self.emptyRoles
        chain = policy.chains.lookup(request.chain)
        asset = policy.assets.lookup(request.asset)
        vault = policy.vaults.lookup(request.vault)
        destinationAddress = AddressNormalization.normalize(request.destination)
        entry = policy.entryIndex(chain: request.chain, destination: request.destination, normalized: destinationAddress)
        recipients = Self.recipients(of: request, destination: destinationAddress)
        flags = recipients.compactMap { policy.flag($0, request: request, state: state) }
        if let unpriced = request.unpriced {
            amountUSD = nil
            usdProblem = unpriced
        } else if let price = state.prices[request.asset] {
            if let usd = request.amount.multiplied(by: price) {
                amountUSD = usd
                usdProblem = nil
            } else {
                amountUSD = nil
                usdProblem = "USD notional of \(request.amount) \(request.asset) overflows"
            }
        } else if let problem = state.priceProblems[request.asset] {
            amountUSD = nil
            usdProblem = problem
        } else {
            amountUSD = nil
            usdProblem = "no USD price for \(request.asset.isEmpty ? "the asset" : request.asset) in the state"
        }
        let (days, seconds) = Self.floorDivide(state.time, 86_400)
        minuteOfDay = Int(seconds / 60)
        weekday = Int(Self.floorDivide(days + 3, 7).1)  // 1970-01-01 was a Thursday
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// The initiating bot's key as the policy's key classes see it at the state's time: nil for a
    /// person, or a bot whose key time the snapshot does not hold.
    var initiatorKey: InitiatorKey? {
        guard let rotatedAt = state.keyRotations[request.initiator] else { return nil }
        let keyClass = policy.document.keys.botClass(request.initiator)
        let (due, status) = policy.document.keys.schedule(of: keyClass, rotatedAt: rotatedAt, dueBy: state.keyDueBy[request.initiator], at: state.time)
        let grace = Int64(policy.document.keys.rotation(of: keyClass).graceSeconds)
        return InitiatorKey(
            keyClass: keyClass, rotatedAt: rotatedAt, due: due, graceEnds: due &+ grace, status: status,
            ageDays: max(0, state.time &- rotatedAt) / 86_400)
    }

    var initiatorKind: PolicyDocument.Principal.Kind? { initiator >= 0 ? policy.principals[initiator].kind : nil }

    /// Whether this request's destination, or any recipient it pays (a batch's, a call's: review
    /// of offboarding M2), is under heightened monitoring after an offboarding now.
    var destinationMonitored: Bool {
        request.recipientKeys.contains { key in state.monitoredDestinations[key].map { state.time < $0 } ?? false }
    }

    /// What earlier requests went to this request's destination, or nil if none did.
    var destinationHistory: DestinationHistory? { request.destinationKey.flatMap { state.destinations[$0] } }

    /// The first recipient that resembles an address-book entry, and the entry (security review
    /// M1: a spender, operator, NFT recipient or inner call counts like the destination).
    var resemblance: AddressResemblance? { flags.lazy.compactMap(\.resemblance).first }

    /// Whether a recipient is poisoned: flagged by a dust transfer, or a member of a flood.
    var isPoisoned: Bool { flags.contains(where: \.isPoisoned) }

    /// `destination`, then `request.recipients`, then the message's address leaves, normalized,
    /// without repeats or empty ones.
    static func recipients(of request: PolicyRequest, destination: String) -> [String] {
        var all: [String] = []
        var seen: Set<String> = []
        func add(_ address: String) {
            let normalized = AddressNormalization.normalize(address)
            if !normalized.isEmpty && seen.insert(normalized).inserted { all.append(normalized) }
        }
        add(destination)
        for r in request.recipients { add(r) }
        if let fields = request.message?.fields {
            for path in fields.keys.sorted() where LookalikeIndex.hexDigits(fields[path]!) != nil { add(fields[path]!) }
        }
        return all
    }

    var destinationName: String { entry >= 0 ? policy.entries[entry].name : "" }
    var destinationTags: [String] { entry >= 0 ? policy.entries[entry].tagNames : [] }
    var destinationCounterparty: String { entry >= 0 ? policy.entries[entry].counterpartyName ?? "" : "" }

    /// The key a limit is kept per for this request.
    func limitKey(_ scope: PolicyDocument.WindowLimit.Scope) -> String {
        switch scope {
        case .destination: return entry >= 0 ? policy.entries[entry].name : destinationAddress
        case .counterparty:
            if entry >= 0 { return policy.entries[entry].counterpartyName ?? policy.entries[entry].name }
            return destinationAddress
        case .initiator: return request.initiator
        case .vault: return request.vault
        case .global: return "*"
        }
    }

    /// Minute of day and weekday in a fixed offset.
    func localTime(offsetSeconds: Int) -> (minute: Int, weekday: Int) {
        let (shifted, overflow) = state.time.addingReportingOverflow(Int64(offsetSeconds))
        guard !overflow else { return (minuteOfDay, weekday) }
        let (days, seconds) = Self.floorDivide(shifted, 86_400)
        return (Int(seconds / 60), Int(Self.floorDivide(days + 3, 7).1))
    }
}
