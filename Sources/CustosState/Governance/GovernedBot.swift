import CustosIdentity

/// A bot in the governed registry: its request-signing key (Ed25519 or P-256), its roles and
/// whether it is still active. Its signed requests name it by `id` in the envelope's `keyId`.
public struct GovernedBot: Sendable, Hashable {
    public let id: String
    public internal(set) var key: BotPublicKey
    /// Sorted, distinct.
    public let roles: [String]
    public internal(set) var active: Bool

    init(id: String, key: BotPublicKey, roles: [String], active: Bool = true) {
        self.id = id
        self.key = key
        self.roles = Array(Set(roles)).sorted()
        self.active = active
    }
}
