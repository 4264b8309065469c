import CustosIdentity

/// A person in the governed registry: roles, whether still active, and WebAuthn credentials
/// with their last-seen signature counters (persisted with every verified assertion).
public struct GovernedUser: Sendable, Hashable {
    public let id: String
    /// Sorted, distinct.
    public internal(set) var roles: [String]
    public internal(set) var active: Bool
    /// In registration order.
    public internal(set) var credentials: [StoredCredential]

    init(id: String, roles: [String], active: Bool = true, credentials: [StoredCredential] = []) {
        self.id = id
        self.roles = Array(Set(roles)).sorted()
        self.active = active
        self.credentials = credentials
    }
}
