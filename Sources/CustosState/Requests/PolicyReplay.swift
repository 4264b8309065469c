import CustosPolicy

/// What a proposed policy would have decided differently (`ReplicatedState.replay(_:since:)`):
/// the recorded requests of a period of block time, decided again in log order under the new
/// policy, with every request whose decision changes and none that do not. A computation over
/// the committed state for people to read before they approve a policy change; it changes
/// nothing and binds nothing.
public struct PolicyReplay: Sendable, Hashable {
    /// A decision as the replay compares it: the outcome and, for a request held for approvals,
    /// how many approvals from which groups it asks (not which rule asks them).
    public struct Verdict: Sendable, Hashable {
        public struct Ask: Sendable, Hashable {
            public let group: String
            public let count: Int
        }

        public let outcome: PolicyDecision.Outcome
        public let asks: [Ask]

        public init(_ decision: PolicyDecision) {
            outcome = decision.outcome
            asks = decision.outcome == .needsApprovals ? decision.pending.map { Ask(group: $0.group, count: $0.count) } : []
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

        /// `req-1881…, 2,000,000 USDC to kraken: allow → needs 2 approvals (admins): <reason>`.
        public var line: String {
            PolicyReplay.line(requestId: requestId, summary: summary, old: old.text, new: new.text, fill: approvalsGivenFill, reason: reason)
        }
    }

    /// A change in one line, with `escape` applied to each part that comes from a request or a
    /// policy (a terminal's `printable`), never to the words around them.
    public static func line(
        requestId: String, summary: String, old: String, new: String, fill: Bool?, reason: String, escape: (String) -> String = { $0 }
    ) -> String {
        var text = "\(escape(String(requestId.prefix(12)))), \(escape(summary)): \(escape(old)) → \(escape(new))"
        if let fill { text += fill ? " (the approvals given fill it)" : " (the approvals given do not fill it)" }
        return text + ": " + escape(reason)
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
    /// Every changed decision, in log order, at most `maximumListedChanges`.
    public let changes: [Change]
    /// How many decisions changed (`changes` may list fewer).
    public let changedCount: Int
    /// What the replay cannot know, in plain words, most important first.
    public let limitations: [String]

    /// The most changes listed; the count says how many there were.
    public static let maximumListedChanges = 1000
    /// The longest period a replay covers: the windows room holds every counted request that long.
    public static let maximumPeriodMilliseconds = WindowBook.minimumHoldMilliseconds

    /// The headline: `3 of 120 decisions change (requests of the last 24h, block time …)`.
    public var headline: String {
        "\(changedCount) of \(replayed) decision\(replayed == 1 ? "" : "s") would change under policy version \(newPolicyVersion)"
    }
}
