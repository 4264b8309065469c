import CustosPolicy

/// What a proposed policy would have decided differently (`ReplicatedState.replay(_:since:)`):
/// the recorded requests of a period of block time, decided again in log order under the new
/// policy, with every request whose decision changes and none that do not. A computation over
/// the committed state for people to read before they approve a policy change; it changes
/// nothing and binds nothing.
public struct PolicyReplay: Sendable, Hashable {
    /// What became, or would become, of a request: signed as allowed, signed once approvals
    /// filled what was asked, or never signed (denied, held and never filled, rejected).
    public enum Fate: String, Sendable, Hashable {
        case allowed
        case approved
        case notSigned = "not-signed"

        /// `signed`, `signed after approvals`, `never signed`.
        public var text: String {
            switch self {
            case .allowed: return "signed"
            case .approved: return "signed after approvals"
            case .notSigned: return "never signed"
            }
        }
    }

    /// A decision as the replay compares it: the outcome, what became of the request, and for a
    /// request held for approvals how many approvals from which groups it asks — each group with
    /// the people it resolves to, so a group renamed alike but with other members differs.
    public struct Verdict: Sendable, Hashable {
        public struct Ask: Sendable, Hashable {
            public let group: String
            public let count: Int
            /// The group's eligible people, sorted.
            public let members: [String]
        }

        public let outcome: PolicyDecision.Outcome
        public let fate: Fate
        /// The approvals asked: the alternative closest to being met, as the nodes ask it (only
        /// its groups may approve the request).
        public let asks: [Ask]

        /// `decision` with what became of its request, its groups resolved by `members`.
        public init(_ decision: PolicyDecision, fate: Fate, members: (String) -> [String]) {
            outcome = decision.outcome
            self.fate = fate
            asks = decision.outcome == .needsApprovals
                ? decision.pending.map { Ask(group: $0.group, count: $0.count, members: members($0.group).sorted()) } : []
        }

        /// Whether the two would differ for the request: the outcome, what becomes of it, or
        /// the approvals asked (counts of the same people; the groups' names do not matter).
        /// Only the alternative the nodes ask is compared: an `any:` branch that is not the
        /// closest is one nobody could use (review helper-99 M1), so adding it changes nothing.
        public func differs(from other: Verdict) -> Bool {
            outcome != other.outcome || fate != other.fate || Self.asked(asks) != Self.asked(other.asks)
        }

        /// The approvals asked as people and counts, in one order.
        private static func asked(_ asks: [Ask]) -> [String] {
            asks.map { "\($0.count)\u{0}" + $0.members.joined(separator: "\u{0}") }.sorted()
        }

        /// Whether it is looser than `other`: signed where the other is not, or allowed without
        /// the approvals the other asks, or asking fewer approvals.
        public func loosens(_ other: Verdict) -> Bool {
            func rank(_ f: Fate) -> Int { f == .allowed ? 2 : f == .approved ? 1 : 0 }
            if rank(fate) != rank(other.fate) { return rank(fate) > rank(other.fate) }
            if outcome != other.outcome { return outcome == .allow || (outcome == .needsApprovals && other.outcome == .deny) }
            return asks.map(\.count).reduce(0, +) < other.asks.map(\.count).reduce(0, +)
        }

        /// `allow`, `deny`, `needs 2 approvals (admins)`, `needs approvals: 2 of admins, 1 of security`.
        public var text: String {
            switch outcome {
            case .allow: return "allow"
            case .deny: return "deny"
            case .needsApprovals:
                guard asks.count != 1 else {
                    let a = asks[0]
                    return "needs \(a.count) approval\(a.count == 1 ? "" : "s") (\(a.group))"
                }
                return "needs approvals: " + asks.map { "\($0.count) of \($0.group)" }.joined(separator: ", ")
            }
        }

        /// `text`, with what became of a request held for approvals: `needs 2 approvals
        /// (admins), approved`, `…, never approved`.
        public var described: String {
            guard outcome == .needsApprovals else { return text }
            return text + (fate == .approved ? ", approved" : ", never approved")
        }

        /// The groups asked on both sides under one name whose people differ:
        /// `admins: erin, grace → grace, mallory`.
        public func regrouped(from old: Verdict) -> [String] {
            asks.compactMap { ask in
                guard let before = old.asks.first(where: { $0.group == ask.group }), before.members != ask.members else { return nil }
                let people = { (m: [String]) in m.isEmpty ? "nobody" : m.joined(separator: ", ") }
                return "\(ask.group): \(people(before.members)) → \(people(ask.members))"
            }
        }
    }

    /// One request whose decision the new policy changes.
    public struct Change: Sendable, Hashable {
        public let requestId: String
        /// Block time at which it was decided, milliseconds since the Unix epoch.
        public let blockTime: UInt64
        public let initiator: String
        /// The request in a few words: `2,000,000 USDC to kraken`.
        public let summary: String
        public let old: Verdict
        public let new: Verdict
        /// The new decision's reason in one line (the rule that decided it, the limit exceeded).
        public let reason: String
        /// For a request the new policy holds for approvals: whether the approvals actually given
        /// to it would fill what the new policy asks. Nil for every other new outcome.
        public let approvalsGivenFill: Bool?
        /// Whether its USD notional used the price recorded with its decision (false: the median
        /// at the head, or none).
        public let recordedPrice: Bool
        /// The groups asked under the same name on both sides whose people differ
        /// (`Verdict.regrouped(from:)`).
        public let regrouped: [String]
        /// Whether the new decision is looser (`Verdict.loosens`): signed where it was not,
        /// allowed without approvals, fewer approvals asked.
        public let loosens: Bool
        /// The policy version that decided it when older than the one in force (its groups are
        /// read as the policy in force has them); nil when the one in force decided it.
        public let decidedUnderVersion: Int?

        /// `req-1881…, 2,000,000 USDC to kraken: allow → needs 2 approvals (admins): <reason>`.
        public var line: String {
            PolicyReplay.line(
                requestId: requestId, summary: summary, old: old.described, new: new.text, fill: approvalsGivenFill, reason: reason,
                regrouped: regrouped, decidedUnderVersion: decidedUnderVersion)
        }
    }

    /// A change in one line, with `escape` applied to each part that comes from a request or a
    /// policy (a terminal's `printable`), never to the words around them.
    public static func line(
        requestId: String, summary: String, old: String, new: String, fill: Bool?, reason: String, regrouped: [String] = [],
        decidedUnderVersion: Int? = nil, escape: (String) -> String = { $0 }
    ) -> String {
        var text = "\(escape(String(requestId.prefix(12)))), \(escape(summary)): \(escape(old)) → \(escape(new))"
        if let fill { text += fill ? " (the approvals given fill it)" : " (the approvals given do not fill it)" }
        text += ": " + escape(reason)
        // A regrouping reads `admins: erin → mallory`: its names escaped, not its arrow.
        if !regrouped.isEmpty {
            text += "; other people under the same name: "
                + regrouped.map { $0.split(separator: " → ", omittingEmptySubsequences: false).map { escape(String($0)) }.joined(separator: " → ") }.joined(separator: "; ")
        }
        if let decidedUnderVersion { text += "; decided under policy version \(decidedUnderVersion)" }
        return text
    }

    /// The period replayed, block time in milliseconds since the Unix epoch: from `since` to the
    /// committed head's time `until`.
    public let since: UInt64
    public let until: UInt64
    /// The version of the policy in force that decided the requests, and of the replayed one.
    public let policyVersion: Int
    public let newPolicyVersion: Int
    /// How many recorded requests of the period were decided again.
    public let replayed: Int
    /// The changed decisions, at most `maximumListedChanges`: every looser one first (toward
    /// allow, fewer approvals), then the rest, each part in log order.
    public let changes: [Change]
    /// How many decisions changed (`changes` may list fewer), and how many of them are looser.
    public let changedCount: Int
    public let looserCount: Int
    /// Requests of the period refused because signing was frozen: counted in `replayed`, never
    /// decided again (a freeze is no policy's).
    public let frozen: Int
    /// What the replay cannot know, in plain words, most important first.
    public let limitations: [String]

    /// The most changes listed; the count says how many there were.
    public static let maximumListedChanges = 1000
    /// The longest period a replay covers: the windows room holds every counted request that long.
    public static let maximumPeriodMilliseconds = WindowBook.minimumHoldMilliseconds

    /// The headline: `3 of 120 decisions would change under policy version 4, 1 of them looser`.
    public var headline: String {
        Self.headline(changedCount: changedCount, replayed: replayed, newPolicyVersion: newPolicyVersion, looserCount: looserCount, frozen: frozen)
    }

    /// The headline from its figures (a client rebuilds it rather than repeat a gateway's words).
    public static func headline(changedCount: Int, replayed: Int, newPolicyVersion: Int, looserCount: Int, frozen: Int) -> String {
        "\(changedCount) of \(replayed) decision\(replayed == 1 ? "" : "s") would change under policy version \(newPolicyVersion), "
            + "\(looserCount) of them looser" + (frozen == 0 ? "" : " (\(frozen) refused while signing was frozen, not decided again)")
    }
}
