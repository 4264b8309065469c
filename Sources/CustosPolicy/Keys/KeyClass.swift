/// How much a key matters, as the policy assigns it to vaults and bots; each class has its own
/// rotation period and grace period (`KeyPolicy`).
public enum KeyClass: String, Sendable, Hashable, CaseIterable, Codable {
    /// Keys whose loss is existential (cold storage, treasury).
    case critical
    /// Keys that move funds every day (hot wallets, trading bots).
    case operational
    /// Keys of development and test environments.
    case development
}
