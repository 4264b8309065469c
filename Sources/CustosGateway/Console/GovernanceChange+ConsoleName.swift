import CustosState

extension GovernanceChange {
    /// The change's name on the console (and in `custos op propose`).
    package var consoleName: String {
        switch self {
        case .addUser: "add-user"
        case .removeUser: "remove-user"
        case .offboardUser: "offboard-user"
        case .assignRole: "assign-role"
        case .revokeRole: "revoke-role"
        case .grantRole: "grant-role"
        case .reviewAccess: "review-access"
        case .attestOnboarding: "attest-onboarding"
        case .openAccessReview: "open-access-review"
        case .confirmAccess: "confirm-access"
        case .addCredential: "add-credential"
        case .enrolCredential: "enrol-credential"
        case .revokeCredential: "revoke-credential"
        // The change that names the document it replaces; one that does not is shown apart.
        case .changePolicy(_, nil): "change-policy-unbound"
        case .changePolicy: "change-policy"
        case .freeze: "freeze"
        case .unfreeze: "unfreeze"
        case .addMember: "add-member"
        case .removeMember: "remove-member"
        case .addBot: "add-bot"
        case .removeBot: "remove-bot"
        case .rotateBotKey: "rotate-bot-key"
        // With an offline share it is another kind of the encoding, with the enrolment after the four fields.
        case .createVault(_, _, _, _, .some): "create-vault-offline"
        case .createVault: "create-vault"
        case .addVaultAddress: "add-vault-address"
        case .refreshVault: "refresh-vault"
        case .readmitSigner: "readmit-signer"
        case .registerAsset: "register-asset"
        case .removeAsset: "remove-asset"
        case .cancelNonce: "cancel-nonce"
        case .cancelAddressBookEntry: "cancel-address-book-entry"
        case .waiveCoolingOff: "waive-cooling-off"
        case .clearWatchFlag: "clear-watch-flag"
        }
    }
}
