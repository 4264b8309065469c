/// Where a key stands against its class's rotation schedule at a block time.
public enum KeyRotationStatus: String, Sendable, Hashable, Codable {
    /// Rotated within its period.
    case current
    /// Its period has run out, but not yet its grace period.
    case overdue
    /// Its period and its grace period have both run out; the policy may refuse what it signs.
    case pastGrace = "past-grace"
}
