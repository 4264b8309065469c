import CustosIdentity

/// A person in the governed registry: roles, whether still active, and WebAuthn credentials
/// with their last-seen signature counters (persisted with every verified assertion).
public struct GovernedUser: Sendable, Hashable, Codable {
    public let id: String
    /// Sorted, distinct.
    public internal(set) var roles: [String]
    public internal(set) var active: Bool
    /// In registration order.
    public internal(set) var credentials: [StoredCredential]
    /// Registration and last use of credentials by credential id; a credential missing here was
    /// registered at genesis and has not been used since.
    public internal(set) var credentialTimes: [[UInt8]: CredentialTimes] = [:]
    /// Roles granted until a block time (milliseconds), by role: each lapses on every node at
    /// that time (`grant-role`, `review-access`). Roles missing here do not expire.
    public internal(set) var roleExpiry: [String: UInt64] = [:]
    /// The onboarding attestations recorded for this person (`attest-onboarding`): the block
    /// time of each, by step name.
    public internal(set) var onboardingSteps: [String: UInt64] = [:]

    init(id: String, roles: [String], active: Bool = true, credentials: [StoredCredential] = []) {
        self.id = id
        self.roles = Array(Set(roles)).sorted()
        self.active = active
        self.credentials = credentials
    }

    /// When `credentialId` was registered and last used.
    public func times(of credentialId: [UInt8]) -> CredentialTimes {
        credentialTimes[credentialId] ?? CredentialTimes(registeredAt: 0, lastUsedAt: nil)
    }

    /// Stores `credential` (its new counter and backup state) at `index` after an assertion it
    /// made at block time `time`.
    mutating func store(_ credential: StoredCredential, at index: Int, usedAt time: UInt64) {
        credentials[index] = credential
        var record = self.times(of: credential.credentialId)
        record.lastUsedAt = time
        credentialTimes[credential.credentialId] = record
    }
}
