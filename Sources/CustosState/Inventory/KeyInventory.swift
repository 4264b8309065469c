import CustosPolicy

/// Every key the cluster knows, as the replicated state holds it at one height: vault keys, the
/// signer nodes' identity and transport keys, bots' request-signing keys and people's WebAuthn
/// credentials, each with its purpose, who holds or can use it, when it was created and last
/// rotated and, where the policy's key classes give it one, when rotation is due and whether it
/// is overdue. Derived from the state alone (block time, never a wall clock), so every node and
/// the gateway list the same inventory at the same height. Public material only: no share, no
/// secret, nothing that helps to use a key.
public struct KeyInventory: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A vault's threshold key: the nodes hold shares, nobody holds the key.
        case vault
        /// A signer node's Ed25519 identity key: votes, log entries and MPC messages it signs.
        case nodeIdentity = "node-identity"
        /// A signer node's X25519 transport key: MPC messages are sealed to it (HPKE).
        case nodeTransport = "node-transport"
        /// A bot's request-signing key (Ed25519 or P-256).
        case bot
        /// A person's WebAuthn credential (passkey or security key).
        case credential
    }

    /// One key. Times are block times in milliseconds since the Unix epoch; a nil `createdAt`
    /// means the key came with the cluster's genesis.
    public struct Key: Sendable, Hashable, Codable {
        public let kind: Kind
        /// The vault, node, bot or person the key belongs to.
        public let owner: String
        /// The key's own id where the owner has several (a credential id, base64url); else empty.
        public let keyId: String
        /// Scheme or algorithm: `ecdsa-secp256k1`, `Ed25519`, `X25519`, `ES256`, ...
        public let algorithm: String
        /// What the key is for, in words.
        public let purpose: String
        /// Who holds the key or its shares, and who can use it.
        public let holders: [String]
        /// Roles that come with using it (bots and people).
        public let roles: [String]
        /// First 16 hex digits of SHA-256 over the public key: to compare with what a device or
        /// file shows.
        public let fingerprint: String
        /// A vault's or bot's environment; for a credential, the environments its person's roles
        /// act in (comma-separated) when the policy scopes them to fewer than all.
        public let environment: String?
        /// The class the policy assigns (vaults and bots).
        public let keyClass: KeyClass?
        public let createdAt: UInt64?
        /// Latest rotation: a vault's latest completed refresh or reshare, a bot's latest key
        /// rotation; nil if never rotated.
        public let lastRotatedAt: UInt64?
        /// When its class's rotation period runs out (vaults and bots).
        public let rotationDueAt: UInt64?
        /// Where it stands against that period; nil for keys without one.
        public let rotation: KeyRotationStatus?
        /// A credential's latest verified use.
        public let lastUsedAt: UInt64?
        /// Anything else worth knowing: a vault's status, threshold, ceremony transcript digest
        /// and addresses; a credential's AAGUID and model.
        public let details: [String: String]
    }

    public let height: UInt64
    /// The block time the statuses are computed at.
    public let time: UInt64
    /// Vaults, node keys, bots, then credentials; each by owner.
    public let keys: [Key]

    /// Keys past their rotation period (in grace or past it).
    public var overdue: [Key] { keys.filter { $0.rotation == .overdue || $0.rotation == .pastGrace } }
    /// Keys past their rotation period and its grace period.
    public var pastGrace: [Key] { keys.filter { $0.rotation == .pastGrace } }
}
