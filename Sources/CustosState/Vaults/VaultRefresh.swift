import CustosCore
import CustosLedger

/// One proactive refresh of a vault's key as the log records it (`refresh-vault`): the
/// participants of the key generation keep their MPC identifiers, every dealer shares its
/// Lagrange-weighted share afresh (`Reshare.Parameters.refresh`), and each participant combines
/// what it received into a new share of the same key. The log is the broadcast channel: every
/// participant sees the same dealings, so no dealer can show different commitments to different
/// receivers; only the secret shares travel through the relay. It completes when every
/// participant confirmed the transcript the log's dealings make; until then, and for ever if it
/// fails, the vault signs with the shares of `fromEpoch`.
public struct VaultRefresh: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// Dealings and confirmations are being collected; the vault signs at `fromEpoch`.
        case running
        /// Every participant confirmed the same transcript; the vault moved to `epoch`.
        case completed
        /// A participant was proven wrong or stayed silent; nothing of it is used.
        case failed
    }

    /// A dealer's Feldman commitments (`Reshare.Dealing`, wire encoding) as committed.
    public struct Dealing: Sendable, Hashable {
        public let dealing: [UInt8]
        public let at: UInt64
    }

    /// A participant's statement that it holds its refreshed share of exactly this transcript.
    public struct Confirmation: Sendable, Hashable {
        public let transcriptDigest: [UInt8]
        public let softwareVersion: String
        public let at: UInt64
    }

    public let operationId: String
    /// The key epoch of the shares it makes.
    public let epoch: UInt32
    /// The key epoch of the shares it refreshes.
    public let fromEpoch: UInt32
    /// Who receives a new share (every participant of the key generation, in id order).
    public let participants: [NodeID]
    /// Who deals: the participants not excluded from the vault's signing (at least the threshold).
    public let dealers: [NodeID]
    public let startedAt: UInt64
    public let startedHeight: UInt64
    public let deadline: UInt64
    public internal(set) var status: Status = .running
    public internal(set) var dealings: [NodeID: Dealing] = [:]
    public internal(set) var confirmations: [NodeID: Confirmation] = [:]
    /// What the log's dealings make, once all are in: the transcript every confirmation must name.
    public internal(set) var expected: VaultRefreshing.Outcome?
    public internal(set) var failure: VaultFailure?
    /// Block time and height at which the last confirmation committed.
    public internal(set) var completedAt: UInt64?
    public internal(set) var completedHeight: UInt64?

    /// How long a refresh may take, in block time.
    public static let timeLimit: UInt64 = VaultCeremony.timeLimit

    /// The relay session of this refresh's secret shares and the session id every dealing
    /// carries (`SessionName`, protocol `.refresh`): this vault and epoch among these
    /// participants, started at this height, in the cluster with `genesisDigest`.
    public func sessionID(genesisDigest: [UInt8], vault: String) -> [UInt8] {
        SessionName(mpcProtocol: .refresh, vaultID: vault, keyEpoch: UInt64(epoch), signers: participants.map(\.rawValue),
                    startHeight: startedHeight).sessionID(genesisDigest: genesisDigest)
    }
}
