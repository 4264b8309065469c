import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy

/// The governed part of the replicated state, as a value: the user registry with credentials and
/// counters, the bot registry with request-signing keys, the policy document in force, the freeze
/// flag, every operation with its lifecycle, submitted requests with their decisions, the replay
/// cache of request nonces, and the refusals every node recorded. It changes only through
/// `apply(_:blockTime:)`, a pure function of the state, the entry and the block's time, so two
/// copies that apply the same entries have the same `digest`.
public struct GovernanceState: Sendable {
    /// A refused governance entry and why: the same on every node.
    public struct Refusal: Sendable, Hashable {
        public let blockTime: UInt64
        public let kind: String
        public let operationId: String?
        public let user: String?
        public let error: GovernanceError
    }

    public let clusterName: String
    public let genesisDigest: [UInt8]
    public let relyingParty: RelyingParty
    public let requireUserVerification: Bool
    public internal(set) var users: [String: GovernedUser]
    /// The policy document as adopted (YAML), and its version.
    public internal(set) var policyYAML: String
    public internal(set) var policyVersion: Int
    public internal(set) var frozen: Bool
    public internal(set) var operations: [String: PendingOperation]
    /// The most recent refusals, oldest first, at most `maximumRecordedRefusals`.
    public internal(set) var refusals: [Refusal]
    /// The log's voting members (signer nodes) after the latest block applied, sorted by id;
    /// empty for a state built without them (then membership cannot change).
    public internal(set) var members: [Member]
    /// Identity keys of removed members: never admitted again (their old votes stay valid at
    /// their old heights, so a returning key could be replayed against a node's history).
    public internal(set) var retiredMemberKeys: Set<[UInt8]>
    /// Bots by id, removed ones included (ids and keys are never reused).
    public internal(set) var bots: [String: GovernedBot]
    /// Nonces of accepted requests (bots' and people's) still inside the timestamp window; part
    /// of the digest, so every node refuses the same replays.
    public internal(set) var replayCache: ReplayCache
    /// The most recent decided requests by id, at most `maximumRecordedRequests`.
    public internal(set) var requests: [String: RecordedRequest]
    /// Ids of `requests` in log order, oldest first.
    public internal(set) var requestOrder: [String]
    /// The latest block time applied (milliseconds since the Unix epoch).
    public internal(set) var time: UInt64
    /// The policy in force: the adopted document with its people replaced by the registry.
    public internal(set) var policy: CompiledPolicy
    /// The adopted document as decoded (people as written; the registry overrides them).
    var document: PolicyDocument
    /// `digest` once computed; every mutation starts a new one.
    var digestCache = StateDigestCache()

    /// Memory bounds of one state. The replay cache holds at most `replayCacheCapacity` nonces
    /// (each key id ≤ 128 and nonce ≤ 128 bytes, so a few tens of MB at worst); when it is full
    /// of nonces still inside the window, further requests are refused (`replayCacheFull`), never
    /// forgotten. Decided requests and refusals keep the most recent ones, dropping the oldest:
    /// a node that needs every decision takes it from the outcome of `apply` as it happens.
    public static let replayCacheCapacity = 100_000
    public static let maximumRecordedRequests = 10_000
    public static let maximumRecordedRefusals = 10_000
    /// How far a request's timestamp may be from the block time, in milliseconds.
    public static let requestClockSkew: Int64 = 300_000

    /// Every role someone active holds.
    public var roles: [String] { Array(Set(users.values.filter(\.active).flatMap(\.roles))).sorted() }

    /// Decides a transfer or call request with the policy in force and the freeze flag, at
    /// `blockTime`: while frozen, everything but governance is denied.
    public func evaluate(_ request: PolicyRequest, blockTime: UInt64) -> PolicyDecision {
        policy.evaluate(request, in: StateSnapshot(time: Int64(blockTime / 1000), frozen: frozen))
    }
}
