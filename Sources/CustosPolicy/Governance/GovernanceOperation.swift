/// An operation on the organisation itself, proposed through the log and decided by the
/// governance rules of the same policy engine.
public struct GovernanceOperation: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, CaseIterable, Codable {
        case addUser = "add_user"
        case removeUser = "remove_user"
        case addCredential = "add_credential"
        case revokeCredential = "revoke_credential"
        case assignRole = "assign_role"
        case revokeRole = "revoke_role"
        case changePolicy = "change_policy"
        case changeAddressBook = "change_address_book"
        case createVault = "create_vault"
        case changeVault = "change_vault"
        /// Stop all signing at once, or stop one address-book entry during its cooling-off
        /// (`cancel-address-book-entry`, target: the entry); any security officer may do this alone.
        case freeze
        /// Resume signing; needs the admin quorum.
        case unfreeze
        // Appended after the first twelve: an action's bit in `CompiledRule.operations` is its
        // position here, so new actions go at the end.
        /// Register a bot's request-signing key with its roles.
        case addBot = "add_bot"
        /// Deactivate a bot: its signed requests stop verifying.
        case removeBot = "remove_bot"
        /// Replace a bot's request-signing key.
        case rotateBotKey = "rotate_bot_key"
        /// Add or remove signer nodes (the log's voting members).
        case changeMembership = "change_membership"
        /// Re-confirm or revoke every role grant at once (an access review).
        case reviewAccess = "review_access"
    }

    public var action: Action
    /// What the operation acts on: a user or bot id, credential id, role, vault or policy version.
    public var target: String

    public init(_ action: Action, target: String = "") {
        self.action = action
        self.target = target
    }
}
