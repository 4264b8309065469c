import CustosPolicy
import CustosState

/// The answer of `POST /v1/policies/replay`: the committed requests of a period decided again
/// under a proposed policy (`ReplicatedState.replay`), with every decision that changes. It is
/// the gateway's computation over its copy of the committed state at `height`, verified by no
/// node (`note` says so in words).
public struct PolicyReplayView: Codable, Sendable, Equatable {
    /// The body of `POST /v1/policies/replay`.
    public struct Query: Codable, Sendable, Equatable {
        /// The proposed policy document (YAML).
        public var policy: String
        /// How far back from the head's block time the period reaches, in seconds.
        public var sinceSeconds: Int

        public init(policy: String, sinceSeconds: Int) {
            self.policy = policy
            self.sinceSeconds = sinceSeconds
        }
    }

    public struct Change: Codable, Sendable, Equatable {
        public var requestId: String
        public var blockTime: UInt64
        public var initiator: String
        public var summary: String
        /// The decision as made (with what became of a held request) and as the proposed
        /// policy would make it, in words (`allow`, `deny`, `needs 2 approvals (admins), approved`).
        public var old: String
        public var new: String
        public var oldOutcome: String
        public var newOutcome: String
        /// What became, or would become, of it: `allowed`, `approved`, `not-signed`.
        public var oldFate: String
        public var newFate: String
        /// Groups asked under the same name whose people differ: `admins: erin, grace → mallory`.
        public var regrouped: [String]
        /// Whether the proposed decision is looser (toward allow, fewer approvals).
        public var loosens: Bool
        /// The older policy version that decided it, when not the one in force.
        public var decidedUnderVersion: Int?
        public var reason: String
        /// For a request the proposed policy holds for approvals: whether the approvals it was
        /// actually given would fill them.
        public var approvalsGivenFill: Bool?
        /// Whether its USD notional used the price recorded with its decision.
        public var recordedPrice: Bool
        /// The change in one line.
        public var line: String

        init(_ c: PolicyReplay.Change) {
            requestId = c.requestId
            blockTime = c.blockTime
            initiator = c.initiator
            summary = c.summary
            old = c.old.described
            new = c.new.text
            oldOutcome = c.old.outcome.rawValue
            newOutcome = c.new.outcome.rawValue
            oldFate = c.old.fate.rawValue
            newFate = c.new.fate.rawValue
            regrouped = c.regrouped
            loosens = c.loosens
            decidedUnderVersion = c.decidedUnderVersion
            reason = c.reason
            approvalsGivenFill = c.approvalsGivenFill
            recordedPrice = c.recordedPrice
            line = c.line
        }
    }

    /// The height of the committed state replayed.
    public var height: UInt64
    /// "computed by the gateway at height H; not verified by any node".
    public var note: String
    /// The period, block time in milliseconds since the Unix epoch.
    public var since: UInt64
    public var until: UInt64
    public var policyVersion: Int
    public var newPolicyVersion: Int
    public var replayed: Int
    public var changedCount: Int
    /// How many of the changes are looser; they are listed first.
    public var looserCount: Int
    /// Requests of the period refused while signing was frozen, not decided again.
    public var frozen: Int
    public var changes: [Change]
    public var limitations: [String]
    public var headline: String

    public init(_ replay: PolicyReplay, height: UInt64) {
        self.height = height
        note = Self.note(height: height)
        since = replay.since
        until = replay.until
        policyVersion = replay.policyVersion
        newPolicyVersion = replay.newPolicyVersion
        replayed = replay.replayed
        changedCount = replay.changedCount
        looserCount = replay.looserCount
        frozen = replay.frozen
        changes = replay.changes.map(Change.init)
        limitations = replay.limitations
        headline = replay.headline
    }

    /// What a replay is, in the words every surface shows beside it.
    public static func note(height: UInt64) -> String {
        "computed by the gateway at height \(height); not verified by any node"
    }
}
