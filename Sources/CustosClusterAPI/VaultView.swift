import CustosCore
import CustosCrypto
import CustosLedger
import CustosPolicy
import CustosState

/// A vault as `GET /v1/vaults`, `custos vault show` and the governance snapshot show it: what it
/// is, its status and key, and the ceremony transcript — who took part, when (block times and
/// heights), the software versions they confirmed with, the digests of their public
/// commitments, and why it failed and who is to blame, if it did; and its addresses.
public struct VaultView: Codable, Sendable, Equatable {
    public struct Participant: Codable, Sendable, Equatable {
        public var node: String
        /// SHA-256 of the committed round-1 package, hex; nil before it is committed.
        public var commitmentDigest: String?
        public var committedAt: UInt64?
        public var confirmedAt: UInt64?
        public var softwareVersion: String?
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var at: UInt64
        public var reason: String
        public var culprits: [String]
        public var silent: [String]

        init(_ f: VaultFailure) {
            at = f.at
            reason = f.reason
            culprits = f.culprits.map(\.rawValue)
            silent = f.silent.map(\.rawValue)
        }
    }

    /// One refresh (`refresh-vault`) or reshare (to the membership after an `add-member` or
    /// `remove-member`) with its transcript.
    public struct Refresh: Codable, Sendable, Equatable {
        public struct Participant: Codable, Sendable, Equatable {
            public var node: String
            /// SHA-256 of the committed dealing, hex; nil before it is committed (or for a
            /// participant that only receives).
            public var dealingDigest: String?
            public var dealtAt: UInt64?
            public var confirmedAt: UInt64?
            public var softwareVersion: String?
        }

        /// refresh or reshare.
        public var kind: String
        /// The key epoch of the shares it makes, and of those it refreshes.
        public var epoch: UInt32
        public var fromEpoch: UInt32
        /// The operation that started it (the `refresh-vault`, or the membership change).
        public var operationId: String
        /// Who deals: share holders at `fromEpoch` that are still members and not excluded.
        public var dealers: [String]
        /// Shares needed to sign with the shares it makes.
        public var threshold: Int
        /// running, completed or failed.
        public var status: String
        public var startedAt: UInt64
        public var startedHeight: UInt64
        public var deadline: UInt64
        public var completedAt: UInt64?
        public var completedHeight: UInt64?
        /// `Reshare.transcript` of every dealing, hex, once all are committed.
        public var transcriptDigest: String?
        public var participants: [Participant]
        public var failure: Failure?

        init(_ r: VaultRefresh) {
            kind = r.kind.rawValue
            epoch = r.epoch
            fromEpoch = r.fromEpoch
            operationId = r.operationId
            dealers = r.dealers.map(\.rawValue)
            threshold = r.minSigners
            status = r.status.rawValue
            startedAt = r.startedAt
            startedHeight = r.startedHeight
            deadline = r.deadline
            completedAt = r.completedAt
            completedHeight = r.completedHeight
            transcriptDigest = r.expected?.transcriptDigest.hexString
            participants = r.participants.map { node in
                Participant(node: node.rawValue, dealingDigest: r.dealings[node].map { Hashes.sha256($0.dealing).hexString },
                            dealtAt: r.dealings[node]?.at, confirmedAt: r.confirmations[node]?.at,
                            softwareVersion: r.confirmations[node]?.softwareVersion)
            }
            failure = r.failure.map(Failure.init)
        }
    }

    public var id: String
    public var label: String
    public var scheme: String
    public var environment: String
    public var status: String
    /// The key generation's epoch.
    public var epoch: UInt32
    /// The key epoch whose shares sign now: the key generation's until a refresh or reshare completes.
    public var keyEpoch: UInt32
    /// Shares needed to sign at `keyEpoch`.
    public var threshold: Int
    /// Who holds a share at `keyEpoch`: the key generation's participants until a refresh or
    /// reshare completes.
    public var holders: [String]
    /// A reshare to a new membership is running: the vault signs nothing until it completes (and
    /// the membership change that started it is not complete either).
    public var resharing: Bool
    /// The group public key, hex (compressed SEC1 for secp256k1, 32 bytes for Ed25519).
    public var publicKey: String?
    public var chainCode: String?
    public var operationId: String
    public var startedAt: UInt64
    public var startedHeight: UInt64
    public var deadline: UInt64
    public var activatedAt: UInt64?
    public var activatedHeight: UInt64?
    /// `DKG.transcript` of every round-1 package, hex, once all are committed.
    public var transcriptDigest: String?
    public var participants: [Participant]
    /// Each node's unassigned nonce commitments (FROST) or confirmed presignatures it holds a
    /// share of (ECDSA) in the committed pool.
    public var pools: [String: Int]
    /// ECDSA vaults: presigning batches under way.
    public var presigningBatches: Int?
    /// Nodes the log proved misbehaved while signing for this vault: left out of signer sets.
    public var excluded: [String]?
    /// ECDSA vaults: the latest presigning runs the log proved someone broke, and who.
    public var presigningBlames: [PresigningBlame]?

    public struct PresigningBlame: Codable, Sendable, Equatable {
        public var batch: UInt32
        public var culprits: [String]
        public var reason: String
        public var at: UInt64
    }
    public var failure: Failure?
    /// Every refresh and reshare of the key, oldest first; nil when there was none.
    public var refreshes: [Refresh]?
    /// The vault key's own addresses, then those recorded by `add-vault-address`; empty until
    /// the vault is active.
    public var addresses: [VaultAddressView]
    /// A vault with an offline share: the offline signer its create-vault enrolled. Nil for others.
    public var offline: Offline?

    /// The offline signer of a vault with an offline share (#15 item 3): `publicKey` is the nodes'
    /// key plus `offlineKey`, so nothing signs without it.
    public struct Offline: Codable, Sendable, Equatable {
        /// Its Ed25519 identity key, hex: it signs the signer's answers.
        public var identityKey: String
        /// Its key Y_off in the scheme's encoding, hex.
        public var offlineKey: String
    }

    public init(_ v: Vault) {
        let c = v.ceremony
        id = v.id
        label = v.label
        scheme = v.scheme.rawValue
        environment = v.environment.rawValue
        status = v.status.rawValue
        epoch = c.epoch
        keyEpoch = v.epoch
        threshold = v.minSigners
        holders = v.holders.map(\.rawValue)
        resharing = v.runningReshare != nil
        publicKey = v.key?.groupKey.hexString
        chainCode = v.key?.chainCode.hexString
        operationId = c.operationId
        startedAt = c.startedAt
        startedHeight = c.startedHeight
        deadline = c.deadline
        activatedAt = v.key?.activatedAt
        activatedHeight = v.key?.activatedHeight
        transcriptDigest = c.expected?.transcriptDigest.hexString
        participants = c.participants.map { node in
            Participant(node: node.rawValue, commitmentDigest: c.commitments[node].map { Hashes.sha256($0.package).hexString },
                        committedAt: c.commitments[node]?.at, confirmedAt: c.confirmations[node]?.at,
                        softwareVersion: c.confirmations[node]?.softwareVersion)
        }
        if v.scheme == .ecdsaSecp256k1 {
            var held: [String: Int] = [:]
            for p in v.holders { held[p.rawValue] = v.presignatures.filter { $0.signers.contains(p) }.count }
            pools = held
            presigningBatches = v.presignBatches.count
        } else {
            pools = Dictionary(uniqueKeysWithValues: v.nonces.map { ($0.key.rawValue, $0.value.count) })
        }
        excluded = v.excluded.isEmpty ? nil : v.excluded.map(\.rawValue)
        presigningBlames = v.presignBlames.isEmpty ? nil
            : v.presignBlames.map { PresigningBlame(batch: $0.batch, culprits: $0.culprits.map(\.rawValue), reason: $0.reason, at: $0.at) }
        failure = v.failure.map(Failure.init)
        refreshes = v.refreshes.isEmpty ? nil : v.refreshes.map(Refresh.init)
        addresses = VaultAddressView.all(v)
        offline = v.offline.map { Offline(identityKey: $0.identityKey.hexString, offlineKey: $0.offlineKey.hexString) }
    }
}
