import CustosCore

/// The safety rules of one signer node as a pure state machine (DESIGN.md, "The replicated log"):
/// it votes at most once per round of a height, only for a block that extends its committed head,
/// whose time is within bounds of the node's clock and whose entries all pass validation; it
/// applies only certified blocks that extend its head. It does no I/O and reads no clock: the
/// caller passes the time in and persists `safetyState` as the returned actions say.
///
/// ## Rounds
///
/// A proposal that no quorum accepts — the gateway showed different nodes different blocks, a
/// proposal grew too old while nodes were down, votes were lost — would stick the log at its
/// height if a node could vote only once there. So a height has rounds. Round 0 is the first
/// proposal. A node that gives up waiting on round r (or refuses its proposal for good) signs a
/// `RoundChange`: it promises to vote in no round ≤ r at that height any more and lists every
/// block it voted for at that height; it persists the promise before sending it
/// (`abandon(round:)`). q round changes for round r form a `RoundChangeCertificate`, and only
/// with one may the gateway propose in round r + 1: the block the certificate allows — the one
/// block that might have been certified in a round ≤ r, or any block if none might have been.
/// The rules:
///
/// 1. One vote per round: a second, different block in a round this node voted in is proof of
///    gateway equivocation (`alertEquivocation`); the vote is persisted before it is sent.
/// 2. No vote in a round it gave up (`roundAbandoned`), nor in a round older than one it voted in.
/// 3. No vote in round r > 0 without a verified certificate for round r − 1 at this height over
///    this head that allows this very block (`unjustified`).
/// 4. A certificate needs q votes of one round; votes of different rounds never add up.
///
/// Safety (no two different blocks certified at one height), with at most f faulty members and
/// any gateway: suppose block B is certified in round r₀. At least q − f honest members voted for
/// B in r₀, and each of them lists B in every round change for a round r ≥ r₀ it signs (rule 2:
/// once it has given up r it casts no vote in r₀ ≤ r, so the vote came first). A certificate for
/// a round r ≥ r₀ has at least q signers, of whom at most n − (q − f) = n + f − q
/// do not list B: B is never ruled out, so every justified proposal in a round > r₀ is B (rule
/// 3), and honest members vote for nothing else there. A different block B′ certified in a round
/// r₁ > r₀ would need an honest vote for B′ in r₁, which rule 3 forbids; certified in r₀ itself,
/// its q voters would share 2q − n ≥ f + 1 members with B's, one of them honest and voting twice
/// in one round, which rule 1 forbids. Symmetrically for r₁ < r₀.
///
/// Liveness, once the gateway behaves and q honest members are up: they give up a stuck round,
/// the gateway assembles their round changes, and the next round carries the block they allow:
/// a block voted for by at most q − f − 1 of n signers is ruled out, so a proposal no quorum
/// accepted is re-proposed when it might have been certified (its old timestamp is then accepted:
/// it may already be final) and replaced by a fresh block when not. One case stays stuck:
/// when at least two different blocks each hold more votes than that — an equivocating gateway
/// that split the members evenly (at n = 4: two votes each). Then a faulty member may have voted
/// for both, either block may hold a certificate the gateway keeps hidden, and nothing the
/// members sign afterwards tells which (a single voting phase recovers from every such split
/// only with n ≥ 5f + 1 members; Martin and Alvisi, "Fast Byzantine Consensus", 2006). The nodes
/// that saw both blocks hold the proof of equivocation and halt their signing; the height waits
/// for an operator.
public struct NodeConsensus: Sendable {
    /// The cluster as of the next height: its voting members change only by `reconfigure`.
    public private(set) var configuration: ClusterConfiguration
    public let identity: NodeIdentity
    /// How far ahead of this node's clock a block's time may be, in milliseconds.
    public let maximumClockSkew: UInt64
    /// How far behind this node's clock a block's time may be, in milliseconds. Longer than the
    /// skew ahead: a proposal stored by the gateway waits for nodes that are down or a gateway
    /// that restarts; one that grew older is given up and replaced in a later round (see
    /// "Rounds"). It bounds how long a gateway can hold block time back.
    public let maximumBlockAge: UInt64
    public internal(set) var safetyState: SafetyState

    public static let defaultMaximumClockSkew: UInt64 = 10_000
    public static let defaultMaximumBlockAge: UInt64 = 120_000

    /// Builds the machine for a member from its persisted safety state (`SafetyState.genesis`
    /// for a new node). Refuses an identity that is not a member with this key — unless
    /// `observer` is set, for a node that follows the chain until a membership change adds it —
    /// and a state that belongs to another cluster.
    public init(
        configuration: ClusterConfiguration, identity: NodeIdentity, safetyState: SafetyState,
        maximumClockSkew: UInt64 = defaultMaximumClockSkew, maximumBlockAge: UInt64 = defaultMaximumBlockAge,
        observer: Bool = false
    ) throws(LedgerError) {
        if let member = configuration.member(identity.id) {
            guard member.publicKeyBytes == identity.publicKeyBytes else {
                throw LedgerError(.invalidConfiguration, "\(identity.id)'s signing key is not the identity key in the configuration", culprit: identity.id)
            }
        } else if !observer {
            throw LedgerError(.unknownMember, "\(identity.id) is not a member of \(configuration.name)", culprit: identity.id)
        }
        guard safetyState.genesisDigest == configuration.genesisDigest else {
            throw LedgerError(.invalidConfiguration, "the safety state belongs to genesis \(safetyState.genesisDigest.short), not \(configuration.genesisDigest.short)")
        }
        self.configuration = configuration
        self.identity = identity
        self.safetyState = safetyState
        self.maximumClockSkew = maximumClockSkew
        self.maximumBlockAge = maximumBlockAge
    }

    public var head: ChainHead { safetyState.head }

    /// Whether this node votes at the next height: a member with this identity key.
    public var isVoter: Bool { configuration.member(identity.id)?.publicKeyBytes == identity.publicKeyBytes }

    /// Adopts the voting members a committed block decided, for every later height. Only the
    /// members may change: a configuration of another cluster is refused.
    public mutating func reconfigure(_ next: ClusterConfiguration) throws(LedgerError) {
        guard next.genesisDigest == configuration.genesisDigest else {
            throw LedgerError(.invalidConfiguration, "a reconfiguration to genesis \(next.genesisDigest.short), not \(configuration.genesisDigest.short)")
        }
        configuration = next
    }
}
