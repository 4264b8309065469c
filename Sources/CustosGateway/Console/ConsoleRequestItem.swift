import CustosCore
import CustosPolicy
import CustosState

/// One line of the console's request inbox: a request held for approvals, or several identical
/// ones (equal `RequestPrompt`s) shown once as "3 × …" — in plain language, with why it needs
/// approvals (the policy's explanation as the nodes decide it now), what is unusual about it
/// (`ReplicatedState.review(of:)`), who initiated it and how long it has waited. Built from the
/// committed state only; every name in it (vault, address-book entry, person, group, rule) is
/// shown through `ConsoleText.visible`. (Templates read stored properties only.)
struct ConsoleRequestItem: Sendable {
    /// The first request's id; `ids` are all of them, in log order.
    let id: String
    let ids: [String]
    let count: Int
    let isBatch: Bool
    /// The page of the request, or of the identical requests together.
    let link: String
    let summary: String
    let initiator: String
    let age: String
    /// When the (first to expire) request expires.
    let expires: String
    let status: String
    /// "1 of 2": the counted approvals of the request, and how many it needs in all; for
    /// several, the same when all agree, else "varies: …" with each value once.
    let approvals: String
    let approvers: String
    let hasApprovers: Bool
    /// The approvals still missing, by group and rule, in words (or "varies: …").
    let needed: String
    let unusual: [ConsoleText]
    let hasUnusual: Bool
    let explanation: [ConsoleText]
    /// What became of the request's transaction (its simulation, its receipt), from the plan in
    /// the state; nil for a line of several and for a request without a transaction.
    let transaction: ConsoleTransactionOutcome?
    /// The inbox's line of it: the same for every request of the line, or "varies: …"; empty
    /// when none has a transaction.
    let chain: String
    let hasChain: Bool

    /// `requests` are identical prompts (at least one), in log order, each with its review made
    /// once for the page (`ConsoleReviewedRequest`); `now` is the gateway's clock
    /// (milliseconds), for the age only. What may differ between identical requests —
    /// their approvals, what they still need, their expiry — is shown for all of them (review
    /// L2): the soonest expiry, and each approvals state, or "varies".
    init(_ reviewed: [ConsoleReviewedRequest], in state: ReplicatedState, now: UInt64) {
        let requests = reviewed.map(\.recorded)
        let first = requests[0]
        id = first.id
        ids = requests.map(\.id)
        count = requests.count
        isBatch = requests.count > 1
        link = isBatch ? "/console/batches/\(first.id)" : "/console/requests/\(first.id)"
        let one = ConsoleText.visible(Self.summary(first.request, in: state))
        summary = isBatch ? "\(requests.count) × \(one)" : one
        initiator = ConsoleText.visible(first.initiator)
        age = DecisionTiming.text(now > first.blockTime ? now - first.blockTime : 0)
        let expiries = requests.compactMap { $0.approvals?.expiresAt }
        expires = expiries.min().map { soonest in
            UTCTime.text(Int64(soonest / 1000)) + (Set(expiries).count > 1 ? " (the soonest of the \(requests.count))" : "")
        } ?? ""
        status = Self.agreed(requests.map { $0.approvals?.status.rawValue ?? $0.outcome.rawValue })
        approvals = Self.agreed(requests.map { r in
            let counted = state.countedApprovers(of: r).count
            return "\(counted) of \(counted + state.unmetApprovals(of: r).map(\.count).reduce(0, +))"
        })
        approvers = Self.agreed(requests.map { r in
            (r.approvals?.approvals ?? []).map { decision in
                ConsoleText.visible(decision.user) + (decision.reviewMillis.map { " (review \(DecisionTiming.text($0)))" } ?? " (review not measured)")
            }.joined(separator: ", ")
        })
        hasApprovers = !approvers.isEmpty
        needed = Self.agreed(requests.map { r in
            let unmet = state.unmetApprovals(of: r)
            return unmet.isEmpty ? "nothing more" : ConsoleText.visible(unmet.map { "\($0.count) more from \($0.group) (rule \($0.rule))" }.joined(separator: "; "))
        })
        let review = reviewed[0].review
        unusual = review.unusual.map(ConsoleText.init)
        hasUnusual = !review.unusual.isEmpty
        explanation = review.explanation.lines.map(ConsoleText.init)
        let outcomes = requests.map { ConsoleTransactionOutcome(request: $0.id, in: state) }
        transaction = isBatch ? nil : outcomes[0]
        chain = outcomes.allSatisfy { $0 == nil } ? "" : Self.agreed(outcomes.map { $0?.line ?? "no transaction" })
        hasChain = !chain.isEmpty
    }

    /// `values` (one per request) as one: the value when all agree, else "varies: " and each
    /// value once, in order ("(none)" for an empty one).
    static func agreed(_ values: [String]) -> String {
        var seen: Set<String> = []
        let distinct = values.filter { seen.insert($0).inserted }
        guard distinct.count > 1 else { return distinct.first ?? "" }
        return "varies: " + distinct.map { $0.isEmpty ? "(none)" : $0 }.joined(separator: " / ")
    }

    /// A request as one sentence: "Transfer 250,000 USDC from hot-trading to kraken-eth
    /// 0x2E6D…8F8F on ethereum", "Call transfer(amount: 5, to: 0x…) on usdc-token 0x0abe…9085
    /// from defi", "Sign EIP-191 text "…" (12 bytes) with sol-treasury".
    static func summary(_ r: PolicyRequest, in state: ReplicatedState) -> String {
        let on = r.chain.isEmpty ? "" : " on \(r.chain)"
        switch r.kind {
        case .transfer:
            return "Transfer \(r.amount.grouped) \(r.asset) from \(r.vault) to \(destination(r, in: state))\(on)"
        case .contractCall:
            let call = r.call.map { call in
                // Each argument once: a number as its amount (review M4).
                let named = call.arguments.filter { call.amounts[$0.key] == nil }.map { ($0.key, $0.value) } + call.amounts.map { ($0.key, $0.value.grouped) }
                return call.function + "(" + named.sorted { $0.0 < $1.0 }.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + ")"
            } ?? "a function"
            return "Call \(call) on \(destination(r, in: state)) from \(r.vault)\(on)"
        case .deploy:
            return "Deploy a contract of runtime code hash \(r.call?.arguments["runtime_code_hash"] ?? "?") from \(r.vault) \(r.account)\(on)"
        case .message:
            return "Sign " + (r.message.map(CompiledPolicy.messageText) ?? "a message") + " with \(r.vault)"
        case .governance:
            return "Governance operation \(r.id)"
        }
    }

    /// The destination's address-book entry and its address in full, or the address and that it
    /// is in no entry. Never shortened: a shortened address (first and last few digits) is exactly
    /// what an address-poisoning look-alike matches.
    static func destination(_ r: PolicyRequest, in state: ReplicatedState) -> String {
        let address = r.destination
        guard let entry = state.policy.addressBookEntry(of: r) else { return "\(address) (not in the address book)" }
        return "\(entry) \(address)"
    }
}
