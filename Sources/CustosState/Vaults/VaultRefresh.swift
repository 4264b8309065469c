import CustosCore
import CustosLedger

/// One run that deals a vault's key afresh as the log records it: a proactive refresh
/// (`refresh-vault`: the same share holders and threshold) or a reshare to a new membership
/// (started by an executed `add-member` or `remove-member`). Every node keeps its MPC identifier
/// (`Vault.identifier(of:)`); every dealer shares its Lagrange-weighted share afresh
/// (`Reshare.Parameters`), and each participant combines what it received into a new share of
/// the same key, so the group key, chain code and addresses never change. The log is the
/// broadcast channel: every participant sees the same dealings, so no dealer can show different
/// commitments to different receivers; only the secret shares travel through the relay. It
/// completes when every participant confirmed the transcript the log's dealings make.
///
/// Until then a refresh leaves the vault signing with the shares of `fromEpoch`; a reshare
/// stops the vault signing altogether (a removed node's old share must never count again, and
/// the new node must get its share first), and the membership change is complete only when it
/// has completed.
public struct VaultRefresh: Sendable, Hashable, Codable {
    /// Why the key is dealt afresh.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// `refresh-vault`: every share changes, holders and threshold stay.
        case refresh
        /// A membership change: the shares move to the new membership (holders and threshold
        /// follow it).
        case reshare
    }

    public enum Status: String, Sendable, Hashable, Codable {
        /// Dealings and confirmations are being collected; the vault signs at `fromEpoch`.
        case running
        /// Every participant confirmed the same transcript; the vault moved to `epoch`.
        case completed
        /// A participant was proven wrong or stayed silent; nothing of it is used.
        case failed
    }

    /// A dealer's Feldman commitments (`Reshare.Dealing`, wire encoding) as committed.
    public struct Dealing: Sendable, Hashable, Codable {
        public let dealing: [UInt8]
        public let at: UInt64
    }

    /// A participant's statement that it holds its refreshed share of exactly this transcript.
    public struct Confirmation: Sendable, Hashable, Codable {
        public let transcriptDigest: [UInt8]
        public let softwareVersion: String
        public let at: UInt64
    }

    public let kind: Kind
    /// The operation that started it: the `refresh-vault`, or the membership change.
    public let operationId: String
    /// The key epoch of the shares it makes.
    public let epoch: UInt32
    /// The key epoch of the shares it refreshes.
    public let fromEpoch: UInt32
    /// Who receives a new share, in id order: for a refresh, the vault's share holders; for a
    /// reshare, the voting members not excluded from the vault. Once it completes, they are the
    /// vault's share holders.
    public let participants: [NodeID]
    /// Who deals: share holders at `fromEpoch` that are still voting members and not excluded
    /// from the vault (at least the old threshold).
    public let dealers: [NodeID]
    /// Shares needed to sign with the shares it makes.
    public let minSigners: Int
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

    /// How long one run may take, in block time.
    public static let timeLimit: UInt64 = VaultCeremony.timeLimit

    /// The relay session of this run's secret shares and the session id every dealing carries
    /// (`SessionName`, protocol `.refresh` or `.reshare`): this vault and epoch among these
    /// participants, started at this height, in the cluster with `genesisDigest`.
    public func sessionID(genesisDigest: [UInt8], vault: String) -> [UInt8] {
        SessionName(mpcProtocol: kind == .refresh ? .refresh : .reshare, vaultID: vault, keyEpoch: UInt64(epoch), signers: participants.map(\.rawValue),
                    startHeight: startedHeight).sessionID(genesisDigest: genesisDigest)
    }
}
