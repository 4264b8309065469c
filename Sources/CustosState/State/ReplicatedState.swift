import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy

/// The replicated state, as a value, composed of its rooms: the governance room (the user
/// registry with credentials and counters, the bot registry with request-signing keys, the policy
/// document in force, the freeze flag, every operation with its lifecycle, the log's members),
/// the requests room (`requestBook`: decided requests and the replay cache of their nonces), the
/// vaults room (`vaults`: key ceremonies and their keys), the windows room (`windows`: what the
/// policy's limits have counted), the prices room (`prices`: signed price quotes), the approvals room (`approvalBook`: approvals counted for the fatigue limits), the watch rooms (`watches`: dust transfers the watchers of each environment reported), and the refusals every node recorded. It changes only through `apply(_:blockTime:)`, a pure
/// function of the state, the entry and the block's time, which routes each entry by kind to its
/// room; requests read the governance room but never change it. Two copies that apply the same
/// entries have the same `digest`.
public struct ReplicatedState: Sendable {
    /// A refused governance entry and why: the same on every node.
    public struct Refusal: Sendable, Hashable, Codable {
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
    /// DER certificates a registration's attestation must chain to in production (the genesis's).
    public let attestationRoots: [[UInt8]]
    public internal(set) var users: [String: GovernedUser]
    /// Credential enrolments the quorum approved, by operation id, used ones included.
    public internal(set) var enrolments: [String: CredentialEnrolment] = [:]
    /// The policy document as adopted (YAML), and its version.
    public internal(set) var policyYAML: String
    public internal(set) var policyVersion: Int
    public internal(set) var frozen: Bool
    /// What froze signing when an alert did (`alerts.freeze_on`); nil when signing is not frozen
    /// or a person's governed freeze did. Cleared by the governed unfreeze.
    public internal(set) var frozenBy: AutomaticFreeze? = nil
    public internal(set) var operations: [String: PendingOperation]
    /// The most recent refusals, oldest first, at most `maximumRecordedRefusals`.
    public internal(set) var refusals: RecentItems<Refusal>
    /// Every refusal ever recorded, in order (the digest's view of `refusals`).
    var refusalJournal = WriteJournal(room: "refusals")
    /// The log's voting members (signer nodes) after the latest block applied, sorted by id;
    /// empty for a state built without them (then membership cannot change).
    public internal(set) var members: [Member]
    /// Identity keys of removed members: never admitted again (their old votes stay valid at
    /// their old heights, so a returning key could be replayed against a node's history).
    public internal(set) var retiredMemberKeys: Set<[UInt8]>
    /// Block time (milliseconds) at which each member that joined by `add-member` joined; the
    /// cluster's first members are not in it (they joined at genesis).
    public internal(set) var memberSince: [NodeID: UInt64] = [:]
    /// Bots by id, removed ones included (ids and keys are never reused).
    public internal(set) var bots: [String: GovernedBot]
    /// The requests room: requests that verified and were decided, and their nonces.
    public internal(set) var requestBook: RequestBook
    /// The vaults room: every vault by id with its key ceremony and recorded addresses, failed
    /// ones included.
    public internal(set) var vaults: [String: Vault] = [:]
    /// The signing room: the signing session of every allowed request that a vault signs, by
    /// request id, with its signature once made.
    public internal(set) var signing = SigningBook()
    /// The windows room: per environment, the rolling-window totals and counts of the policy's
    /// limits, and what earlier requests went to each destination, in block time.
    public internal(set) var windows: WindowsRoom
    /// The prices room: price sources' latest signed quotes and each asset's latest median.
    public internal(set) var prices = PriceBook()
    /// The watch rooms, one per environment some watcher of it reported in: the first
    /// zero-value or dust transfer the watchers of that environment reported with each
    /// counterparty of a vault, and how far they cover each chain (`watch(_:)`).
    public internal(set) var watches: [DeploymentEnvironment: WatchBook] = [:]
    /// The monitoring room: chain events watchers reported under the policy's `monitoring`
    /// section until enough of them did, and which chains' coverage lags.
    public internal(set) var monitoring = MonitoringBook()
    /// The assets vaults may move, by `chain/symbol` (`RegisteredAsset.key`), as governance
    /// registered them.
    public internal(set) var assets: [String: RegisteredAsset] = [:]
    /// The transactions room: the EVM transaction of every transfer or contract call request,
    /// as every node resolved it, with its parameters, signing hash and signed raw form, and the
    /// next nonce of every vault address on every chain.
    public internal(set) var transactions = TransactionBook()
    /// The alerts room: every alert every node raised when it applied a block (a receipt that
    /// differs from its intent, a reverted transaction, a receipt overdue).
    public internal(set) var alerts = AlertBook()
    /// The approvals room: each person's approvals in the last hour and the approvals flagged
    /// as hasty, for the policy's approval-fatigue limits.
    public internal(set) var approvalBook = ApprovalBook()
    /// The cooling-off of every address-book entry a policy change added or changed since
    /// genesis, by entry name (entries of the genesis policy, usable at once, have none).
    public internal(set) var addressBookStandings: [String: AddressBookStanding] = [:]
    /// Every cancellation a security officer made during a cooling-off, by the chain and address
    /// of the entry (`AddressBookEntry.destinationKey`; cooling-off review L1): an entry at that
    /// address is cancelled whatever it is named or however a later policy change writes it,
    /// until the quorum waives it.
    public internal(set) var cancelledDestinations: [String: AddressBookStanding.Decision] = [:]
    /// Every person offboarded (`offboard-user`), by id: what they had and what the offboarding
    /// did, for the exit report, the rotation of the bots they administered and the
    /// heightened-monitoring window.
    public internal(set) var offboardings: [String: Offboarding] = [:]
    /// The open access review with a deadline (`open-access-review`), or the last one closed.
    public internal(set) var accessReview: AccessReview? = nil
    /// The end (block time, ms) of every cooling-off still running when a policy change executed,
    /// by chain and address (`AddressBookEntry.destinationKey`): an entry put at that address
    /// again, under any name, waits at least until then. Pruned by block time at each change.
    public internal(set) var coolingDestinations: [String: UInt64] = [:]
    /// Every `node.restored` entry accepted, as "member/nonce-hex": one with a member and nonce
    /// seen before is a replay (`applyNodeRestored`), refused.
    public internal(set) var restorations: Set<String> = []
    /// The height of the latest block applied (0 for a state that applies entries without
    /// their blocks); ceremonies record the height that started them.
    public internal(set) var height: UInt64 = 0
    /// The hash of the latest block applied (empty for a state that applies entries without
    /// their blocks); a request records the hash of the block that committed it.
    public internal(set) var blockHash: [UInt8] = []
    /// The latest block time applied (milliseconds since the Unix epoch).
    public internal(set) var time: UInt64
    /// The policy in force: the adopted document with its people replaced by the registry.
    public internal(set) var policy: CompiledPolicy {
        // Every path that puts a policy in force re-keys the windows if its limits changed.
        didSet { windows.adopt(policy, at: time) }
    }
    /// The adopted document as decoded (people as written; the registry overrides them).
    var document: PolicyDocument
    /// `digest` once computed; every mutation starts a new one.
    var digestCache = StateDigestCache()
    /// The earliest receipt deadline of a signed plan not yet alerted, as `raiseOverdueReceipts`
    /// last found it, with the plans signed and the policy version it saw: a block before it that
    /// signed nothing and changed no policy looks at no plan (review helper-97 M6). Derived from
    /// the state, so not in the digest.
    var overdueCheck: (due: UInt64, signings: Int, policyVersion: Int)? = nil

    /// Refusals keep the most recent ones, dropping the oldest: a node that needs every refusal
    /// takes it from the outcome of `apply` as it happens. (The requests room has its own bounds.)
    public static let maximumRecordedRefusals = 10_000

    /// Every role someone active holds.
    public var roles: [String] { Array(Set(users.values.filter(\.active).flatMap(\.roles))).sorted() }
}
