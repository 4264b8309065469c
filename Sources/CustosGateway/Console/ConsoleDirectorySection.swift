import CustosState

/// The pages of the governance directory (`/console/directory/…`): who and what the committed
/// state registers, each with the open operations that would change it.
enum ConsoleDirectorySection: String, CaseIterable, Sendable {
    case users
    case roles
    case credentials
    case bots
    case members
    case addressBooks = "address-books"

    var title: String {
        switch self {
        case .users: "People"
        case .roles: "Roles"
        case .credentials: "Credentials"
        case .bots: "Bots"
        case .members: "Signer nodes"
        case .addressBooks: "Address book"
        }
    }

    /// Whether `change` would change what this page lists (a policy change can change the roles'
    /// powers and the address book; a person's removal drops their credentials).
    func isTouched(by change: GovernanceChange) -> Bool {
        switch (self, change) {
        case (.users, .addUser), (.users, .removeUser), (.users, .assignRole), (.users, .revokeRole), (.users, .grantRole),
             (.users, .reviewAccess), (.users, .openAccessReview), (.users, .confirmAccess), (.users, .attestOnboarding), (.users, .addCredential), (.users, .enrolCredential), (.users, .revokeCredential):
            true
        case (.roles, .addUser), (.roles, .removeUser), (.roles, .assignRole), (.roles, .revokeRole), (.roles, .grantRole),
             (.roles, .reviewAccess), (.roles, .openAccessReview), (.roles, .confirmAccess), (.roles, .attestOnboarding), (.roles, .changePolicy):
            true
        case (.credentials, .addCredential), (.credentials, .enrolCredential), (.credentials, .revokeCredential), (.credentials, .removeUser):
            true
        case (.bots, .addBot), (.bots, .removeBot), (.bots, .rotateBotKey):
            true
        case (.members, .addMember), (.members, .removeMember):
            true
        case (.addressBooks, .changePolicy), (.addressBooks, .cancelAddressBookEntry), (.addressBooks, .waiveCoolingOff):
            true
        default:
            false
        }
    }
}
