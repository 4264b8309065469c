/// When a person's credential was registered and last used, in block time (milliseconds).
public struct CredentialTimes: Sendable, Hashable, Codable {
    /// Block time of the `add-credential` that registered it; 0 for a genesis credential.
    public let registeredAt: UInt64
    /// Block time of the latest entry whose assertion it made and every node verified (a
    /// proposal, an approval, a rejection or a request); nil until then.
    public internal(set) var lastUsedAt: UInt64?
}
