import CustosLedger
import CustosPolicy

/// A vault: one threshold key that the cluster's nodes generated among themselves, its scheme
/// and environment, and the ceremony that made it. Created by the governed operation
/// `create-vault`; active only once every participant confirmed the same key in the log.
public struct Vault: Sendable, Hashable, Codable {
    public enum Scheme: String, Sendable, Hashable, CaseIterable, Codable {
        /// Threshold ECDSA on secp256k1 (Ethereum and EVM chains).
        case ecdsaSecp256k1 = "ecdsa-secp256k1"
        /// FROST(Ed25519, SHA-512), RFC 9591.
        case frostEd25519 = "frost-ed25519"
        /// FROST(secp256k1, SHA-256) with BIP-340/341 tweaks (Bitcoin Taproot).
        case frostTaproot = "frost-taproot"
    }

    /// Where a vault's key may be used; a node takes part only in vaults of its own environment,
    /// and a request only from an initiator of it.
    public typealias Environment = DeploymentEnvironment

    public enum Status: String, Sendable, Hashable, Codable {
        /// The key generation is under way.
        case generating
        /// Every participant confirmed the key; it may sign.
        case active
        /// The ceremony failed; `failure` says why and who. Nothing of it is usable.
        case failed
    }

    public let id: String
    public let label: String
    public let scheme: Scheme
    public let environment: Environment
    public internal(set) var status: Status
    /// The key generation, with its transcript.
    public internal(set) var ceremony: VaultCeremony
    /// The key, once active.
    public internal(set) var key: VaultKey?
    public internal(set) var failure: VaultFailure?
    /// Addresses recorded by `add-vault-address`, in the order they were added; labels are
    /// unique within the vault, and so is each (chain, path).
    public internal(set) var addresses: [VaultAddress] = []
    /// FROST vaults: each signer's published nonce commitments not yet assigned, oldest first.
    public internal(set) var nonces: [NodeID: [[UInt8]]] = [:]
    /// FROST vaults: how many nonce batches each node has published at this epoch.
    public internal(set) var nonceBatches: [NodeID: UInt32] = [:]
    /// Nodes the log proved misbehaved while signing for this vault: left out of signer sets.
    public internal(set) var excluded: [NodeID] = []
    /// ECDSA vaults: presigning batches under way, oldest first.
    public internal(set) var presignBatches: [PresignBatch] = []
    /// ECDSA vaults: confirmed presignatures not yet assigned, oldest first.
    public internal(set) var presignatures: [PooledPresignature] = []
    /// ECDSA vaults: the number the next presigning batch takes.
    public internal(set) var nextPresignBatch: UInt32 = 0
    /// ECDSA vaults: nodes that let a presigning batch run out (block time it ended), left out of
    /// new batches for the policy's `signing.attempt_timeout` while enough others remain.
    public internal(set) var presignSilent: [NodeID: UInt64] = [:]
    /// ECDSA vaults: the latest presigning blames (at most `maximumPresignBlames`), oldest first.
    public internal(set) var presignBlames: [PresignBlameRecord] = []
    /// Every refresh (`refresh-vault`) and reshare (membership change) of the key, oldest first,
    /// with its transcript; the last one may still be running.
    public internal(set) var refreshes: [VaultRefresh] = []
    /// Nodes given an MPC identifier after the key generation (to receive a reshare), in the
    /// order they got one: the i-th has identifier `ceremony.participants.count + i + 1`.
    public internal(set) var addedParticipants: [NodeID] = []
    /// The offline signer's enrolment, for a vault created with an offline share (air-gapped
    /// signing, #15 item 3): its identity key signs its responses, and the vault key is the
    /// nodes' key plus its key Y_off (`VaultKeyGeneration.combinedKey`). Such a vault is never
    /// refreshed, reshared or derived below.
    public internal(set) var offline: OfflineEnrolment? = nil
    /// The epoch of the shares the last completed refresh made; nil while they are the key
    /// generation's.
    var refreshedEpoch: UInt32? = nil

    /// At most this many unassigned commitments per node in a FROST vault's pool.
    public static let maximumPooledNonces = 256
    /// An ECDSA vault's pool is topped up to this many presignatures (running batches count).
    public static let presignatureTarget = 64
    /// Presigning blames kept per vault.
    public static let maximumPresignBlames = 16

    /// The key epoch of the shares that sign: the key generation's, until a refresh completes;
    /// each refresh takes a later one.
    public var epoch: UInt32 { refreshedEpoch ?? ceremony.epoch }

    /// The refresh or reshare under way, if any.
    public var runningRefresh: VaultRefresh? { refreshes.last.flatMap { $0.status == .running ? $0 : nil } }

    /// The reshare under way, if any: while it runs the vault signs nothing and pools nothing.
    public var runningReshare: VaultRefresh? { runningRefresh.flatMap { $0.kind == .reshare ? $0 : nil } }

    /// Who holds a share at `epoch`, in id order: the key generation's participants until a
    /// refresh or reshare completes, then its participants.
    public var holders: [NodeID] { refreshes.last { $0.status == .completed }?.participants ?? ceremony.participants }

    /// Shares needed to sign at `epoch`.
    public var minSigners: Int { refreshes.last { $0.status == .completed }?.minSigners ?? ceremony.minSigners }

    /// The MPC identifier (1-based) `node` has in this vault's key, for every epoch: the key
    /// generation's index, or one after every earlier identifier for a node added by a reshare.
    /// Never reused, so a removed node's identifier is never given to anyone else.
    public func identifier(of node: NodeID) -> Int? {
        ceremony.index(of: node) ?? addedParticipants.firstIndex(of: node).map { ceremony.participants.count + $0 + 1 }
    }

    /// The MPC identifier of `node` if it holds a share at `epoch`; nil for anyone else.
    public func index(of node: NodeID) -> Int? { holders.contains(node) ? identifier(of: node) : nil }

    /// Why a refresh or reshare of a vault with an offline share is refused.
    var offlineRefreshRefusal: String { "vault \(id) has an offline share: refresh/reshare needs the offline signer and is not built" }

    /// Labels: 1 to 256 bytes of printable ASCII.
    static let maximumLabelBytes = 256
}
