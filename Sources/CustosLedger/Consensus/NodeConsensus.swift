import CustosCore

/// The safety rules of one signer node as a pure state machine (DESIGN.md, "The replicated log"):
/// it votes at most once per height, only for a block that extends its committed head, whose time
/// is within bounds of the node's clock and whose entries all pass validation; it applies only
/// certified blocks that extend its head. It does no I/O and reads no clock: the caller passes
/// the time in and persists `safetyState` as the returned actions say.
public struct NodeConsensus: Sendable {
    /// The cluster as of the next height: its voting members change only by `reconfigure`.
    public private(set) var configuration: ClusterConfiguration
    public let identity: NodeIdentity
    /// How far ahead of this node's clock a block's time may be, in milliseconds.
    public let maximumClockSkew: UInt64
    /// How far behind this node's clock a block's time may be, in milliseconds. Longer than the
    /// skew ahead: a proposal stored by the gateway waits for nodes that are down or a gateway
    /// that restarts, and a proposal no node can accept any more sticks the log at its height
    /// (there is no view change yet). It bounds how long a gateway can hold block time back.
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
