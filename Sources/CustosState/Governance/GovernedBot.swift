import CustosIdentity

/// A bot in the governed registry: its request-signing key (Ed25519 or P-256), its roles, its
/// environment and whether it is still active. Its signed requests name it by `id` in the envelope's `keyId`.
public struct GovernedBot: Sendable, Hashable, Codable {
    public let id: String
    public internal(set) var key: BotPublicKey
    /// Sorted, distinct.
    public let roles: [String]
    /// The only environment whose vaults its requests may reach.
    public let environment: Vault.Environment
    public internal(set) var active: Bool
    /// Block time (milliseconds) of the `add-bot` that registered it.
    public let registeredAt: UInt64
    /// Block time (milliseconds) at which its current key was set: by `add-bot`, then by each
    /// `rotate-bot-key`. Its key's rotation schedule runs from here.
    public internal(set) var keyRotatedAt: UInt64

    init(id: String, key: BotPublicKey, roles: [String], environment: Vault.Environment, active: Bool = true, registeredAt: UInt64) {
        self.id = id
        self.key = key
        self.roles = Array(Set(roles)).sorted()
        self.environment = environment
        self.active = active
        self.registeredAt = registeredAt
        self.keyRotatedAt = registeredAt
    }
}
