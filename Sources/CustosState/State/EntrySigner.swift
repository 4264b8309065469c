import CustosCore

/// Who signed a log entry, as the entry itself claims: read from the entry alone, before any
/// state decides whether the signature verifies. The gateway bounds its queue per signer.
public struct EntrySigner: Sendable, Hashable, CustomStringConvertible {
    public enum Role: String, Sendable, Hashable {
        /// A person, by a WebAuthn assertion.
        case person
        /// A bot, by its registered request-signing key.
        case bot
        /// A voting member (signer node), by its Ed25519 identity key.
        case member
        /// A vault's offline signer, by the identity key its enrolment registered (`id` is the vault).
        case offlineSigner = "offline-signer"
    }

    public let role: Role
    /// The person's, bot's or member's id as the entry names it (not yet known to be registered).
    public let id: String

    public init(role: Role, id: String) {
        self.role = role
        self.id = id
    }

    public var description: String { "\(role.rawValue) \"\(id.printable(limit: 64))\"" }
}
