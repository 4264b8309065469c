import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState

extension GovernanceProposal {
    /// The tag that starts a proposal's canonical encoding (`GovernanceProposal.encoded`).
    static let consoleEncodingTag = "custos.governance.proposal.v1"

    /// Every field of `encoded`, in its order, as the console displays it: whose
    /// `ConsoleField.canonicalBytes` are exactly `encoded`. Nothing is left out, so the digest a
    /// browser computes from the displayed fields is the digest every node checks.
    package var consoleFields: [ConsoleField] {
        var fields = [
            ConsoleField("Format", .string, Self.consoleEncodingTag),
            ConsoleField("Operation id", .string, id),
            ConsoleField("Proposed by", .string, proposer),
            ConsoleField("Lifetime (seconds)", .u32, String(lifetimeSeconds)),
            ConsoleField("Change", .change, change.consoleName),
        ]
        switch change {
        case .addUser(let id, let roles):
            fields += [ConsoleField("Person", .string, id), ConsoleField("Roles", list: roles)]
        case .removeUser(let id):
            fields += [ConsoleField("Person", .string, id)]
        case .offboardUser(let id, let monitorDays):
            fields += [ConsoleField("Person", .string, id), ConsoleField("Monitoring days (0: none)", .u32, String(monitorDays))]
        case .assignRole(let user, let role), .revokeRole(let user, let role):
            fields += [ConsoleField("Person", .string, user), ConsoleField("Role", .string, role)]
        case .grantRole(let user, let role, let days):
            fields += [ConsoleField("Person", .string, user), ConsoleField("Role", .string, role), ConsoleField("Days", .u32, String(days))]
        case .reviewAccess(let confirmed, let revoked, let days):
            fields += [ConsoleField("Re-confirmed grants", list: confirmed), ConsoleField("Revoked grants", list: revoked),
                       ConsoleField("Days re-confirmed (0: no expiry)", .u32, String(days))]
        case .openAccessReview(let deadlineDays, let confirmed, let days):
            fields += [ConsoleField("Deadline (days)", .u32, String(deadlineDays)), ConsoleField("Re-confirmed grants", list: confirmed),
                       ConsoleField("Days re-confirmed (0: no expiry)", .u32, String(days))]
        case .confirmAccess(let review, let grants, let days):
            fields += [ConsoleField("Access review", .string, review), ConsoleField("Re-confirmed grants", list: grants),
                       ConsoleField("Days re-confirmed (0: no expiry)", .u32, String(days))]
        case .attestOnboarding(let user, let step):
            fields += [ConsoleField("Person", .string, user), ConsoleField("Onboarding step", .string, step)]
        case .addCredential(let user, let r):
            fields += [ConsoleField("Person", .string, user), ConsoleField("Credential id (hex)", .hex, r.credentialId.hexString),
                       ConsoleField("Attestation object (hex)", .hex, r.attestationObject.hexString),
                       ConsoleField("Client data (hex)", .hex, r.clientDataJSON.hexString)]
        case .enrolCredential(let user, let codeKey, let validSeconds):
            fields += [ConsoleField("Person", .string, user), ConsoleField("Enrolment code key (hex)", .hex, codeKey.hexString),
                       ConsoleField("Valid for (seconds)", .u32, String(validSeconds))]
        case .revokeCredential(let user, let credentialId):
            fields += [ConsoleField("Person", .string, user), ConsoleField("Credential id (hex)", .hex, credentialId.hexString)]
        case .changePolicy(let yaml, let replaces):
            fields += [ConsoleField("Policy document", .string, yaml)]
            if let replaces { fields += [ConsoleField("Replaces the policy with digest (hex)", .hex, replaces.hexString)] }
        case .freeze, .unfreeze:
            break
        case .addMember(let member, let proof):
            fields += [ConsoleField("Signer node", .string, member.id.rawValue),
                       ConsoleField("Identity key (hex)", .hex, member.publicKeyBytes.hexString),
                       ConsoleField("Transport key (hex)", .hex, member.transportKeyBytes.hexString),
                       ConsoleField("Proof of possession (hex)", .hex, proof.hexString)]
        case .removeMember(let id):
            fields += [ConsoleField("Signer node", .string, id.rawValue)]
        case .addBot(let id, let key, let roles, let environment):
            fields += [ConsoleField("Bot", .string, id), ConsoleField("Key algorithm", .string, key.algorithm.rawValue),
                       ConsoleField("Key (hex)", .hex, key.rawRepresentation.hexString), ConsoleField("Roles", list: roles),
                       ConsoleField("Environment", .string, environment.rawValue)]
        case .removeBot(let id):
            fields += [ConsoleField("Bot", .string, id)]
        case .rotateBotKey(let id, let key):
            fields += [ConsoleField("Bot", .string, id), ConsoleField("Key algorithm", .string, key.algorithm.rawValue),
                       ConsoleField("Key (hex)", .hex, key.rawRepresentation.hexString)]
        case .createVault(let id, let label, let scheme, let environment, let offline):
            fields += [ConsoleField("Vault", .string, id), ConsoleField("Label", .string, label),
                       ConsoleField("Scheme", .string, scheme.rawValue), ConsoleField("Environment", .string, environment.rawValue)]
            if let offline {
                // The enrolment is signed whole; its fingerprint is what approvers compare with
                // the offline machine's screen (the script computes it again for its confirmation).
                fields += [ConsoleField("Offline enrolment (hex)", .hex, offline.serializedBytes.hexString,
                                        note: "Fingerprint \(offline.fingerprint): compare it with the one the offline machine showed "
                                            + "(custos offline enrol). Offline signer identity key \(offline.identityKey.hexString).")]
            }
        case .addVaultAddress(let vault, let label, let chain, let path):
            fields += [ConsoleField("Vault", .string, vault), ConsoleField("Label", .string, label),
                       ConsoleField("Chain", .string, chain.rawValue),
                       ConsoleField("Derivation path", .path, (["m"] + path.map(String.init)).joined(separator: "/"))]
        case .refreshVault(let id):
            fields += [ConsoleField("Vault", .string, id)]
        case .readmitSigner(let vault, let node):
            fields += [ConsoleField("Vault", .string, vault), ConsoleField("Signer node", .string, node.rawValue)]
        case .registerAsset(let asset):
            fields += [ConsoleField("Chain", .string, asset.chain), ConsoleField("Chain id", .u64, String(asset.chainId)),
                       ConsoleField("Symbol", .string, asset.symbol),
                       ConsoleField("Contract (empty: the chain's native asset)", .string, asset.contract ?? ""),
                       ConsoleField("Decimals", .u8, String(asset.decimals))]
        case .removeAsset(let chain, let symbol):
            fields += [ConsoleField("Chain", .string, chain), ConsoleField("Symbol", .string, symbol)]
        case .cancelNonce(let vault, let chain, let address, let nonce):
            fields += [ConsoleField("Vault", .string, vault), ConsoleField("Chain", .string, chain), ConsoleField("Address", .string, address),
                       ConsoleField("Nonce", .u64, String(nonce))]
        case .cancelAddressBookEntry(let entry):
            fields += [ConsoleField("Address book entry", .string, entry)]
        case .waiveCoolingOff(let entry, let chain, let address, let standing, let lifts):
            fields += [ConsoleField("Address book entry", .string, entry), ConsoleField("Chain", .string, chain),
                       ConsoleField("Address", .string, address), ConsoleField("Put there by operation", .string, standing),
                       ConsoleField("Lifts the cancellation by operation", .string, lifts)]
        case .clearWatchFlag(let chain, let target):
            fields += [ConsoleField("Chain", .string, chain), ConsoleField("Clears", .string, target)]
        }
        return fields
    }

    /// The content a person's registration under an enrolment signs, as the console displays
    /// it: SHA-256 of its `ConsoleField.canonicalBytes` is
    /// `CredentialEnrolment.registrationChallenge(genesisDigest:enrolmentId:user:codeKey:)`.
    package static func consoleRegistrationFields(genesisDigest: [UInt8], enrolmentId: String, user: String, codeKey: [UInt8]) -> [ConsoleField] {
        [ConsoleField("Format", .string, "custos.governance.enrolment-registration.v2"),
         ConsoleField("Cluster genesis (hex)", .hex, genesisDigest.hexString), ConsoleField("Enrolment", .string, enrolmentId),
         ConsoleField("Person", .string, user), ConsoleField("Code key (hex)", .hex, codeKey.hexString)]
    }
}
