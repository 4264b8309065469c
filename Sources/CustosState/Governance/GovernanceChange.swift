import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy

/// What a governance operation does to the governed state. Address books and vaults are held by
/// the policy document for now, so `changePolicy` changes them. Each case has its own kind
/// number in the canonical encoding; numbers are never reused or renumbered.
public enum GovernanceChange: Sendable, Hashable, Codable {
    /// A new person with roles and no credential yet (add one with `addCredential`).
    case addUser(id: String, roles: [String])
    /// Deactivates a person: their credentials stop verifying and their roles stop counting.
    case removeUser(id: String)
    /// Offboards a person in one step (`ReplicatedState.offboard`): deactivates them with every
    /// credential and role (so they leave every approver group), withdraws their open requests
    /// and governance operations, marks the keys of the bots they administered as due for
    /// rotation now, and keeps what they had for the exit report (`ReplicatedState.offboardings`).
    /// With `monitorDays` (30 to 90; 0 for none) the policy can ask one more approval for
    /// transfers to destinations they added or last used, for that many days of block time
    /// (`request.destination_touched_by_offboarded`). Decided by the governance rules of
    /// `remove_user`: the same power (taking a person's access away) under the same quorum and
    /// time-lock; everything else it does only takes access away too. Kind 47.
    case offboardUser(id: String, monitorDays: UInt32)
    case assignRole(user: String, role: String)
    case revokeRole(user: String, role: String)
    /// Gives `user` the role `role` for `days` days (1 to 3,660): it lapses on every node at the
    /// block time `days` × 86,400,000 ms after the block that executes this, unless a later
    /// grant or an access review renews it. Renews an expiring grant of the same role.
    case grantRole(user: String, role: String, days: UInt32)
    /// An access review: every role of every active person, as `"user role"`, either
    /// re-confirmed or revoked. Confirmed grants run `days` more days from execution (0: without
    /// expiry). Refused unless it names every current grant exactly once, so nothing is
    /// overlooked.
    case reviewAccess(confirmed: [String], revoked: [String], days: UInt32)
    /// Opens an access review with a deadline (`ReplicatedState.accessReview`): it lists every
    /// current grant; `confirmed` are re-confirmed at once for `days` more days (0: without
    /// expiry), the others by `confirmAccess` before the deadline, `deadlineDays` (1 to 90) after
    /// execution, when every listed grant not re-confirmed and still held lapses on every node.
    /// Refused while another review is open, and when governance would depend on a grant it may
    /// let lapse. Kind 49.
    case openAccessReview(deadlineDays: UInt32, confirmed: [String], days: UInt32)
    /// Re-confirms `grants` (`"user role"`) of the open access review `review` for `days` more
    /// days (0: without expiry): they do not lapse at its deadline. Kind 50.
    case confirmAccess(review: String, grants: [String], days: UInt32)
    /// Records that `user` completed the onboarding step `step`, an `attestation` step of the
    /// policy's `onboarding` section (`ReplicatedState.attestOnboarding`): proposed by a holder of
    /// the role the step names (not `user`), and decided by the governance rules of `assign_role`,
    /// since it gives the person's roles their effect. Kind 48.
    case attestOnboarding(user: String, step: String)
    /// A WebAuthn credential for `user`, registered with the challenge
    /// `GovernanceProposal.registrationChallenge(operationId:user:genesisDigest:)`; verified by every node.
    /// Only `user` may propose it (their proposal, authorised by a credential they already hold):
    /// nobody registers a credential for someone else. A person without a usable credential is
    /// enrolled instead (`enrolCredential`).
    case addCredential(user: String, registration: WebAuthnRegistration.Response)
    /// A one-time enrolment: once executed, `user` may register one credential themselves within
    /// `validSeconds` (60 s to 30 days) of block time, with a registration signed by the key of
    /// their code, `CredentialEnrolment.codeKey(ofCode:)` = `codeKey` (`GovernanceEntry.enrol`).
    /// The person makes the code and hands only its key to the proposer; the code never leaves
    /// them, so neither the proposer nor the gateway relaying the registration can use it.
    case enrolCredential(user: String, codeKey: [UInt8], validSeconds: UInt32)
    case revokeCredential(user: String, credentialId: [UInt8])
    /// A new policy document (YAML); its version must exceed the current one. `replaces`, the
    /// `policyDigest` of the document it replaces, binds the change to that document: every node
    /// refuses it (at proposal and at execution) unless the policy in force is exactly that one,
    /// so the differences an approver reviewed, from a document with that digest, are the ones
    /// that take effect, whatever a gateway showed as "the policy in force" (issue #13 item 6).
    /// `custos op propose change-policy` always names it. Nil is change kind 7, retired: it still
    /// decodes (an old operation is shown) but every node refuses it.
    case changePolicy(yaml: String, replaces: [UInt8]? = nil)
    /// Stops all signing; a security officer may do this alone.
    case freeze
    /// Resumes signing; needs the quorum.
    case unfreeze
    /// A new signer node joins the log's voting members from the height after the one that
    /// executes it. `proof` is the node's Ed25519 signature with that identity key over
    /// `ReplicatedState.membershipProofMessage`: the key belongs to a node that exists and wants
    /// to join this cluster. One member per operation, so every old and new quorum overlap in
    /// enough members. Key shares are not moved by this: resharing is the signing layer's.
    case addMember(Member, proof: [UInt8])
    /// A signer node leaves the voting members; its key can never be re-admitted.
    case removeMember(id: NodeID)
    /// A new bot with its request-signing key, roles and environment (only vaults of it take its
    /// requests); its id is never reused, and neither a person's id nor another bot's key.
    /// Kind 16; kind 10, from before bots carried an environment, is retired and no longer
    /// decodes (its approvals were over another digest, review helper-107 M3).
    case addBot(id: String, key: BotPublicKey, roles: [String], environment: Vault.Environment = DeploymentEnvironment.unnamedBot)
    /// Deactivates a bot: its signed requests are refused from the next entry on.
    case removeBot(id: String)
    /// Replaces an active bot's key; requests signed with the old key are refused from then on.
    case rotateBotKey(id: String, key: BotPublicKey)
    /// A new vault: once executed, the current voting members generate its key among
    /// themselves (`ReplicatedState.vaults`); it becomes active when all confirmed it. With
    /// `offline` (FROST only), the vault key is Y_on + Y_off: the nodes' key plus the key of the
    /// offline signer the enrolment registers (air-gapped signing, #15 item 3).
    case createVault(id: String, label: String, scheme: Vault.Scheme, environment: Vault.Environment, offline: OfflineEnrolment? = nil)
    /// A labelled address of an active vault: the key at the non-hardened `path` below the
    /// vault key, in `chain`'s format. Every node derives the address itself
    /// (`ReplicatedState.vaults[vault].addresses`).
    case addVaultAddress(vault: String, label: String, chain: VaultAddress.Chain, path: [UInt32])
    /// A proactive refresh of an active vault's key: once executed, the vault's participants
    /// deal fresh sharings of their shares among themselves (`VaultRefresh`). Every share
    /// changes; the key, chain code and addresses do not; pooled nonces and presignatures are
    /// dropped when it completes.
    case refreshVault(id: String)
    /// Lets a signer node that was excluded from an active vault's signing (named by a blame or a
    /// refresh complaint) take part in its signer sets again, once the firm has dealt with the
    /// cause. Only a voting member that holds a share of the vault can be readmitted.
    case readmitSigner(vault: String, node: NodeID)
    /// An asset vaults may move on an EVM chain (`ReplicatedState.assets`): transfer requests
    /// name it by chain and symbol, and every node resolves the contract and decimals from it.
    case registerAsset(RegisteredAsset)
    /// Removes a registered asset; requests submitted afterwards cannot name it.
    case removeAsset(chain: String, symbol: String)
    /// Gives up nonce `nonce` of the EVM address `address` (of `vault`) on `chain`, reserved to
    /// a transaction that may be signed but is not to be mined (its outcome unknown, or signed
    /// and stuck): the nonce passes to a zero-value transfer from the address to itself, planned
    /// under a request id derived from the operation (`ReplicatedState.cancellationId`) and signed
    /// like any other plan once an executor's parameters pass the fee limits. Whichever of the
    /// two is mined, the other cannot be; nothing else ever takes the nonce. A free nonce below
    /// the address's next nonce (given back by a failure before any signer took part) is filled
    /// the same way, so the later nonces waiting for it on the chain are not stuck.
    case cancelNonce(vault: String, chain: String, address: String, nonce: UInt64)
    /// A security officer stops address-book entry `entry` during its cooling-off
    /// (`ReplicatedState.addressBookStandings`): it never becomes usable, nor any entry at its
    /// chain and address, until the quorum waives it. Only a holder of a freeze role may propose it, and the
    /// governance rules let them execute it alone, as a freeze (operation class `freeze`).
    case cancelAddressBookEntry(entry: String)
    /// Waives address-book entry `entry`'s cooling-off, or a security officer's cancellation of
    /// it (of its chain and address): usable from execution, recorded with the operation. Decided by the governance rules (and time-lock) of `change_policy`: no fewer
    /// people than could have changed the entry (security review M1). The approvers sign the
    /// entry's `chain` and `address` and `standing`, the policy change that put the entry where it
    /// stands (`AddressBookStanding.operationId`): executed only while the entry still names that
    /// destination and standing, so a waiver approved for one address never clears another that
    /// a later policy change put under the same name (final review H1). They also sign `lifts`,
    /// the operation of the security officer's cancellation the waiver lifts (empty for none):
    /// executed only while the entry's cancellation is exactly that one, so approvals given
    /// before an officer cancelled never clear the cancellation (security review M2). Kind 46;
    /// kind 44, which named only the entry, is retired and no longer decodes.
    case waiveCoolingOff(entry: String, chain: String, address: String, standing: String, lifts: String)
    /// Clears what `target` names on `chain` (`WatchClearance`: an address's poisoned flag, for
    /// good; every flag a transaction planted; every flag before a block; or the chain's
    /// overflow mark): false flags, such as those planted by zero-value
    /// `transferFrom(vault, address, 0)` calls that anyone can make (security review M3, H1).
    /// The clearance is recorded with the operation. Decided by the governance rules (and
    /// time-lock) of `change_policy`.
    case clearWatchFlag(chain: String, target: String)

    /// The operation as the policy engine's governance rules see it.
    public var operation: GovernanceOperation {
        switch self {
        case .addUser(let id, _): return GovernanceOperation(.addUser, target: id)
        case .removeUser(let id): return GovernanceOperation(.removeUser, target: id)
        case .offboardUser(let id, _): return GovernanceOperation(.removeUser, target: id)
        case .attestOnboarding(let user, _): return GovernanceOperation(.assignRole, target: user)
        case .openAccessReview: return GovernanceOperation(.reviewAccess)
        case .confirmAccess(let review, _, _): return GovernanceOperation(.reviewAccess, target: review)
        case .assignRole(let user, _): return GovernanceOperation(.assignRole, target: user)
        case .revokeRole(let user, _): return GovernanceOperation(.revokeRole, target: user)
        case .grantRole(let user, _, _): return GovernanceOperation(.assignRole, target: user)
        case .reviewAccess: return GovernanceOperation(.reviewAccess)
        case .addCredential(let user, _): return GovernanceOperation(.addCredential, target: user)
        case .enrolCredential(let user, _, _): return GovernanceOperation(.addCredential, target: user)
        case .revokeCredential(let user, _): return GovernanceOperation(.revokeCredential, target: user)
        case .changePolicy: return GovernanceOperation(.changePolicy)
        case .freeze: return GovernanceOperation(.freeze)
        case .unfreeze: return GovernanceOperation(.unfreeze)
        case .addMember(let m, _): return GovernanceOperation(.changeMembership, target: m.id.rawValue)
        case .removeMember(let id): return GovernanceOperation(.changeMembership, target: id.rawValue)
        case .addBot(let id, _, _, _): return GovernanceOperation(.addBot, target: id)
        case .removeBot(let id): return GovernanceOperation(.removeBot, target: id)
        case .rotateBotKey(let id, _): return GovernanceOperation(.rotateBotKey, target: id)
        case .createVault(let id, _, _, _, _): return GovernanceOperation(.createVault, target: id)
        case .addVaultAddress(let vault, _, _, _): return GovernanceOperation(.changeVault, target: vault)
        case .refreshVault(let id): return GovernanceOperation(.changeVault, target: id)
        case .readmitSigner(let vault, _): return GovernanceOperation(.changeVault, target: vault)
        case .registerAsset(let asset): return GovernanceOperation(.changePolicy, target: asset.key)
        case .removeAsset(let chain, let symbol): return GovernanceOperation(.changePolicy, target: RegisteredAsset.key(chain: chain, symbol: symbol))
        case .cancelNonce(let vault, _, _, _): return GovernanceOperation(.changeVault, target: vault)
        case .cancelAddressBookEntry(let entry): return GovernanceOperation(.freeze, target: entry)
        case .waiveCoolingOff(let entry, _, _, _, _): return GovernanceOperation(.changePolicy, target: entry)
        case .clearWatchFlag(let chain, let target): return GovernanceOperation(.changePolicy, target: chain + "/" + target)
        }
    }

    /// Whether this change acts on `user`'s own standing: their removal, a role, grant or
    /// credential of theirs, or an access review that revokes one of their grants.
    public func actsOn(_ user: String) -> Bool {
        switch self {
        case .reviewAccess(_, let revoked, _): return revoked.contains { $0.split(separator: " ").first.map(String.init) == user }
        case .removeUser, .offboardUser, .assignRole, .revokeRole, .grantRole, .attestOnboarding, .addCredential, .enrolCredential, .revokeCredential:
            return operation.target == user
        default: return false
        }
    }

    /// The person this change gives a role or a credential to: they may not approve it, so
    /// nobody counts towards their own new power.
    public var beneficiary: String? {
        switch self {
        case .assignRole(let user, _), .grantRole(let user, _, _), .attestOnboarding(let user, _), .addCredential(let user, _),
             .enrolCredential(let user, _, _):
            return user
        default:
            return nil
        }
    }
}

extension CanonicalWriter {
    mutating func append(_ change: GovernanceChange) {
        switch change {
        case .addUser(let id, let roles):
            append(UInt8(1)); append(string: id); append(strings: roles)
        case .removeUser(let id):
            append(UInt8(2)); append(string: id)
        case .offboardUser(let id, let monitorDays):
            append(UInt8(47)); append(string: id); append(monitorDays)
        case .assignRole(let user, let role):
            append(UInt8(3)); append(string: user); append(string: role)
        case .revokeRole(let user, let role):
            append(UInt8(4)); append(string: user); append(string: role)
        case .grantRole(let user, let role, let days):
            append(UInt8(13)); append(string: user); append(string: role); append(days)
        case .reviewAccess(let confirmed, let revoked, let days):
            append(UInt8(14)); append(strings: confirmed); append(strings: revoked); append(days)
        case .attestOnboarding(let user, let step):
            append(UInt8(48)); append(string: user); append(string: step)
        case .openAccessReview(let deadlineDays, let confirmed, let days):
            append(UInt8(49)); append(deadlineDays); append(strings: confirmed); append(days)
        case .confirmAccess(let review, let grants, let days):
            append(UInt8(50)); append(string: review); append(strings: grants); append(days)
        case .addCredential(let user, let r):
            append(UInt8(5)); append(string: user); append(lengthPrefixed: r.credentialId); append(lengthPrefixed: r.attestationObject); append(lengthPrefixed: r.clientDataJSON)
        case .enrolCredential(let user, let codeKey, let validSeconds):
            append(UInt8(15)); append(string: user); append(lengthPrefixed: codeKey); append(validSeconds)
        case .revokeCredential(let user, let credentialId):
            append(UInt8(6)); append(string: user); append(lengthPrefixed: credentialId)
        case .changePolicy(let yaml, nil):
            append(UInt8(7)); append(string: yaml)
        case .changePolicy(let yaml, let replaces?):
            append(UInt8(51)); append(string: yaml); append(lengthPrefixed: replaces)
        case .freeze:
            append(UInt8(8))
        case .unfreeze:
            append(UInt8(9))
        case .addMember(let m, let proof):
            append(UInt8(20)); append(string: m.id.rawValue); append(lengthPrefixed: m.publicKeyBytes); append(lengthPrefixed: m.transportKeyBytes)
            append(lengthPrefixed: proof)
        case .removeMember(let id):
            append(UInt8(21)); append(string: id.rawValue)
        case .addBot(let id, let key, let roles, let environment):
            append(UInt8(16)); append(string: id); append(key); append(strings: roles); append(string: environment.rawValue)
        case .removeBot(let id):
            append(UInt8(11)); append(string: id)
        case .rotateBotKey(let id, let key):
            append(UInt8(12)); append(string: id); append(key)
        case .createVault(let id, let label, let scheme, let environment, let offline):
            // A vault with an offline share has a kind of its own, so every earlier encoding stays as it was.
            append(UInt8(offline == nil ? 30 : 34)); append(string: id); append(string: label); append(string: scheme.rawValue)
            append(string: environment.rawValue)
            if let offline { append(lengthPrefixed: offline.serializedBytes) }
        case .addVaultAddress(let vault, let label, let chain, let path):
            append(UInt8(31)); append(string: vault); append(string: label); append(string: chain.rawValue)
            append(UInt32(path.count)); for index in path { append(index) }
        case .refreshVault(let id):
            append(UInt8(32)); append(string: id)
        case .readmitSigner(let vault, let node):
            append(UInt8(33)); append(string: vault); append(string: node.rawValue)
        case .registerAsset(let asset):
            append(UInt8(40)); append(string: asset.chain); append(asset.chainId); append(string: asset.symbol)
            append(string: asset.contract ?? ""); append(asset.decimals)
        case .removeAsset(let chain, let symbol):
            append(UInt8(41)); append(string: chain); append(string: symbol)
        case .cancelNonce(let vault, let chain, let address, let nonce):
            append(UInt8(42)); append(string: vault); append(string: chain); append(string: address); append(nonce)
        case .cancelAddressBookEntry(let entry):
            append(UInt8(43)); append(string: entry)
        case .waiveCoolingOff(let entry, let chain, let address, let standing, let lifts):
            append(UInt8(46)); append(string: entry); append(string: chain); append(string: address); append(string: standing)
            append(string: lifts)
        case .clearWatchFlag(let chain, let target):
            append(UInt8(45)); append(string: chain); append(string: target)
        }
    }

    mutating func append(_ key: BotPublicKey) {
        append(string: key.algorithm.rawValue)
        append(lengthPrefixed: key.rawRepresentation)
    }
}

extension CanonicalReader where Code == GovernanceErrorCode {
    mutating func environment() throws(GovernanceError) -> Vault.Environment {
        let name = try string("environment", max: 32)
        guard let environment = Vault.Environment(rawValue: name) else {
            throw fail("environment \"\(name.printable(limit: 32))\" is none of \(Vault.Environment.choices)")
        }
        return environment
    }

    mutating func botKey(_ field: String) throws(GovernanceError) -> BotPublicKey {
        let name = try string("\(field) algorithm", max: 16)
        guard let algorithm = BotPublicKey.Algorithm(rawValue: name) else {
            throw fail("\(field) algorithm \"\(name)\" is neither Ed25519 nor ES256")
        }
        let raw = try bytes("\(field)", max: 65)
        do { return try BotPublicKey(algorithm: algorithm, rawRepresentation: raw) } catch {
            throw fail("\(field): \(error.reason)")
        }
    }
}

extension CanonicalReader where Code == GovernanceErrorCode {
    mutating func change() throws(GovernanceError) -> GovernanceChange {
        let kind = try uint8("change kind")
        switch kind {
        case 1: return .addUser(id: try string("user"), roles: try strings("roles"))
        case 2: return .removeUser(id: try string("user"))
        case 47: return .offboardUser(id: try string("user"), monitorDays: try uint32("monitoring days"))
        case 3: return .assignRole(user: try string("user"), role: try string("role"))
        case 4: return .revokeRole(user: try string("user"), role: try string("role"))
        case 13: return .grantRole(user: try string("user"), role: try string("role"), days: try uint32("days"))
        case 49:
            return .openAccessReview(deadlineDays: try uint32("deadline days"), confirmed: try strings("confirmed grants"), days: try uint32("days"))
        case 50:
            return .confirmAccess(review: try string("access review", max: GovernanceProposal.maximumIdLength), grants: try strings("confirmed grants"),
                                  days: try uint32("days"))
        case 48: return .attestOnboarding(user: try string("user"), step: try string("onboarding step", max: 64))
        case 14: return .reviewAccess(confirmed: try strings("confirmed grants"), revoked: try strings("revoked grants"), days: try uint32("days"))
        case 5:
            let user = try string("user")
            let id = try bytes("credential id")
            let attestation = try bytes("attestation object")
            let clientData = try bytes("client data")
            return .addCredential(
                user: user,
                registration: WebAuthnRegistration.Response(credentialId: id, attestationObject: attestation, clientDataJSON: clientData))
        case 15:
            return .enrolCredential(user: try string("user"), codeKey: try bytes("code key", max: 32), validSeconds: try uint32("validity"))
        case 6: return .revokeCredential(user: try string("user"), credentialId: try bytes("credential id"))
        case 7: return .changePolicy(yaml: try string("policy", max: 200 * 1024))
        case 51:
            let yaml = try string("policy", max: 200 * 1024)
            let replaces = try bytes("digest of the policy replaced", max: 32)
            guard replaces.count == 32 else { throw fail("the digest of the policy replaced has \(replaces.count) bytes, not 32") }
            return .changePolicy(yaml: yaml, replaces: replaces)
        case 8: return .freeze
        case 9: return .unfreeze
        case 20:
            let id = try string("member id", max: 64)
            let key = try bytes("member key", max: 32)
            let transportKey = try bytes("member transport key", max: 32)
            let proof = try bytes("proof of possession", max: 64)
            do { return .addMember(try Member(id: try NodeID(id), publicKeyBytes: key, transportKeyBytes: transportKey), proof: proof) } catch {
                throw fail("member: \(error.reason)")
            }
        case 21:
            let id = try string("member id", max: 64)
            do { return .removeMember(id: try NodeID(id)) } catch { throw fail("member id: \(error.reason)") }
        case 10: throw fail("change kind 10 (add-bot without an environment) is retired: propose add-bot again with --environment")
        case 16:
            let id = try string("bot")
            let key = try botKey("bot key")
            let roles = try strings("roles")
            return .addBot(id: id, key: key, roles: roles, environment: try environment())
        case 11: return .removeBot(id: try string("bot"))
        case 12: return .rotateBotKey(id: try string("bot"), key: try botKey("bot key"))
        case 30, 34:
            let withOffline = kind == 34
            let id = try string("vault")
            let label = try string("label")
            let schemeName = try string("scheme", max: 32)
            guard let scheme = Vault.Scheme(rawValue: schemeName) else {
                throw fail("scheme \"\(schemeName.printable(limit: 32))\" is none of \(Vault.Scheme.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let environment = try environment()
            guard withOffline else { return .createVault(id: id, label: label, scheme: scheme, environment: environment) }
            let enrolment = try bytes("offline enrolment", max: OfflineEnrolment.maximumBytes)
            do { return .createVault(id: id, label: label, scheme: scheme, environment: environment, offline: try OfflineEnrolment(serializedBytes: enrolment)) } catch {
                throw fail("offline enrolment: \(error.reason)")
            }
        case 31:
            let vault = try string("vault")
            let label = try string("label")
            let chainName = try string("chain", max: 32)
            guard let chain = VaultAddress.Chain(rawValue: chainName) else {
                throw fail("chain \"\(chainName.printable(limit: 32))\" is none of \(VaultAddress.Chain.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            // Paths deeper than the state accepts (up to 255 levels) still decode, so that the
            // state, not the block check, refuses them; a longer one is malformed.
            let depth = try uint32("path length")
            guard depth <= 255 else { throw fail("a derivation path of \(depth) levels") }
            var path: [UInt32] = []
            for _ in 0..<depth { path.append(try uint32("path index")) }
            return .addVaultAddress(vault: vault, label: label, chain: chain, path: path)
        case 32: return .refreshVault(id: try string("vault"))
        case 33:
            let vault = try string("vault")
            let node = try string("node id", max: 64)
            do { return .readmitSigner(vault: vault, node: try NodeID(node)) } catch { throw fail("node id: \(error.reason)") }
        case 40:
            let chain = try string("chain", max: RegisteredAsset.maximumNameBytes)
            let chainId = try uint64("chain id")
            let symbol = try string("symbol", max: RegisteredAsset.maximumNameBytes)
            let contract = try string("contract", max: 64)
            let decimals = try uint8("decimals")
            return .registerAsset(RegisteredAsset(chain: chain, chainId: chainId, symbol: symbol, contract: contract.isEmpty ? nil : contract,
                                                  decimals: decimals))
        case 41:
            return .removeAsset(chain: try string("chain", max: RegisteredAsset.maximumNameBytes),
                                symbol: try string("symbol", max: RegisteredAsset.maximumNameBytes))
        case 42:
            return .cancelNonce(vault: try string("vault"), chain: try string("chain", max: RegisteredAsset.maximumNameBytes),
                                address: try string("address", max: 64), nonce: try uint64("nonce"))
        case 43: return .cancelAddressBookEntry(entry: try string("address book entry", max: 64))
        case 44: throw fail("change kind 44 (a cooling-off waiver naming only the entry, not its address) is retired: propose waive-cooling-off again")
        case 46:
            return .waiveCoolingOff(entry: try string("address book entry", max: 64), chain: try string("chain", max: 64),
                                    address: try string("address", max: 128), standing: try string("standing", max: GovernanceProposal.maximumIdLength),
                                    lifts: try string("lifted cancellation", max: GovernanceProposal.maximumIdLength))
        case 45:
            return .clearWatchFlag(chain: try string("chain", max: RegisteredAsset.maximumNameBytes), target: try string("target", max: WatchClearance.maximumTargetBytes))
        case let other: throw fail("unknown change kind \(other)")
        }
    }
}
