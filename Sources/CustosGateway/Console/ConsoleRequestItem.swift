import CustosCore
import CustosPolicy
import CustosState
import Foundation

/// One line of the console's request inbox: a request held for approvals, or several identical
/// ones (equal `RequestPrompt`s) shown once as "3 × …" — in plain language, with why it needs
/// approvals (the policy's explanation as the nodes decide it now), what is unusual about it
/// (`ReplicatedState.review(of:)`), who initiated it and how long it has waited. Built from the
/// committed state only. (Templates read stored properties only.)
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
    let expires: String
    let status: String
    /// "1 of 2": the counted approvals of the (first) request, and how many it needs in all.
    let approvals: String
    let approvers: String
    let hasApprovers: Bool
    /// The approvals still missing, by group and rule, in words.
    let needed: String
    let unusual: [ConsoleText]
    let hasUnusual: Bool
    let explanation: [ConsoleText]

    /// `requests` are identical prompts (at least one), in log order; `now` is the gateway's
    /// clock (milliseconds), for the age only.
    init(_ requests: [RecordedRequest], in state: ReplicatedState, now: UInt64) {
        let first = requests[0]
        id = first.id
        ids = requests.map(\.id)
        count = requests.count
        isBatch = requests.count > 1
        link = isBatch ? "/console/batches/\(first.id)" : "/console/requests/\(first.id)"
        let one = Self.summary(first.request, in: state)
        summary = isBatch ? "\(requests.count) × \(one)" : one
        initiator = first.initiator
        age = Self.duration(now > first.blockTime ? now - first.blockTime : 0)
        expires = first.approvals.map { ConsoleInboxItem.time($0.expiresAt) } ?? ""
        status = first.approvals?.status.rawValue ?? first.outcome.rawValue
        let counted = state.countedApprovers(of: first)
        let unmet = state.unmetApprovals(of: first)
        approvals = "\(counted.count) of \(counted.count + unmet.map(\.count).reduce(0, +))"
        approvers = (first.approvals?.approvals ?? []).map { decision in
            decision.user + (decision.reviewMillis.map { " (review \(DecisionTiming.text($0)))" } ?? " (review not measured)")
        }.joined(separator: ", ")
        hasApprovers = !approvers.isEmpty
        needed = unmet.isEmpty ? "nothing more" : unmet.map { "\($0.count) more from \($0.group) (rule \($0.rule))" }.joined(separator: "; ")
        let review = state.review(of: first)
        unusual = review.unusual.map(ConsoleText.init)
        hasUnusual = !review.unusual.isEmpty
        explanation = review.explanation.lines.map(ConsoleText.init)
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
                let named = call.arguments.map { ($0.key, $0.value) } + call.amounts.map { ($0.key, $0.value.grouped) }
                return call.function + "(" + named.sorted { $0.0 < $1.0 }.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + ")"
            } ?? "a function"
            return "Call \(call) on \(destination(r, in: state)) from \(r.vault)\(on)"
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

    /// Milliseconds in words: "45 s", "12 min", "3 h 5 min", "2 d 4 h".
    static func duration(_ milliseconds: UInt64) -> String {
        let s = milliseconds / 1000
        switch s {
        case ..<60: return "\(s) s"
        case ..<3600: return "\(s / 60) min"
        case ..<86_400: return "\(s / 3600) h \(s % 3600 / 60) min"
        default: return "\(s / 86_400) d \(s % 86_400 / 3600) h"
        }
    }
}
