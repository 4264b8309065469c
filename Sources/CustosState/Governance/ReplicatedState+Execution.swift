import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// Applies an approved change, or throws without a partial effect on `self` mattering (the
    /// callers execute on a copy). Every change to people or policy recompiles the policy in
    /// force and refuses a result that no longer checks or could no longer be governed.
    mutating func execute(_ p: GovernanceProposal) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidChange, reason) }
        func activeUser(_ id: String) throws(GovernanceError) -> GovernedUser {
            guard let u = users[id] else { throw GovernanceError(.unknownUser, "no user \"\(id.prefix(64))\"") }
            guard u.active else { throw GovernanceError(.inactiveUser, "\(id) has been removed") }
            return u
        }
        switch p.change {
        case .freeze:
            guard !frozen else { throw invalid("signing is already frozen") }
            frozen = true
            return
        case .unfreeze:
            guard frozen else { throw invalid("signing is not frozen") }
            frozen = false
            frozenBy = nil
            return
        case .addUser(let id, let roles):
            try Self.checkUserId(id)
            guard users[id] == nil else { throw invalid("user \"\(id)\" exists (ids are never reused)") }
            for role in roles { try Self.checkRole(role) }
            guard bots[id] == nil else { throw invalid("\"\(id)\" is a bot (ids are never reused)") }
            users[id] = GovernedUser(id: id, roles: roles)
        case .removeUser(let id):
            _ = try activeUser(id)
            users[id]!.active = false
            users[id]!.credentials = []
            users[id]!.credentialTimes = [:]
            users[id]!.roleExpiry = [:]
        case .offboardUser(let id, let monitorDays):
            try offboard(id, monitorDays: monitorDays, operationId: p.id)
            do {
                policy = try Self.compile(document, users: users, bots: bots)
                try checkGovernableWithoutExpiringGrants()
            } catch {
                throw GovernanceError(error.code, "offboarding \(id) would leave governance unable to act: \(error.reason)")
            }
            return
        case .assignRole(let id, let role):
            let u = try activeUser(id)
            try Self.checkRole(role)
            guard !u.roles.contains(role) else { throw invalid("\(id) already has role \"\(role)\"") }
            users[id]!.roles = (u.roles + [role]).sorted()
            noteRegranted(user: id, role: role)
        case .revokeRole(let id, let role):
            let u = try activeUser(id)
            guard u.roles.contains(role) else { throw invalid("\(id) does not have role \"\(role)\"") }
            users[id]!.roles = u.roles.filter { $0 != role }
            users[id]!.roleExpiry[role] = nil
        case .grantRole(let id, let role, let days):
            try grantRole(user: try activeUser(id), role: role, days: days)
        case .reviewAccess(let confirmed, let revoked, let days):
            try reviewAccess(confirmed: confirmed, revoked: revoked, days: days)
        case .openAccessReview(let deadlineDays, let confirmed, let days):
            try openAccessReview(id: p.id, deadlineDays: deadlineDays, confirmed: confirmed, days: days)
        case .confirmAccess(let review, let grants, let days):
            try confirmAccess(review: review, grants: grants, days: days)
        case .attestOnboarding(let id, let step):
            try attestOnboarding(user: try activeUser(id), step: step, proposer: p.proposer)
        case .addCredential(let id, let registration):
            _ = try activeUser(id)
            guard p.proposer == id else {
                throw GovernanceError(
                    .notPermitted, "\(p.proposer) may not register a credential for \(id): only \(id) registers their own, or enrols under an enrolment")
            }
            try register(registration, for: id, challenge: GovernanceProposal.registrationChallenge(operationId: p.id, user: id, genesisDigest: genesisDigest))
        case .enrolCredential(let id, let codeKey, let validSeconds):
            _ = try activeUser(id)
            guard codeKey.count == 32 else { throw invalid("an enrolment names the 32-byte Ed25519 key of its code") }
            guard (60...CredentialEnrolment.maximumValidSeconds).contains(validSeconds) else {
                throw invalid("an enrolment is valid 60 to \(CredentialEnrolment.maximumValidSeconds) seconds, not \(validSeconds)")
            }
            enrolments[p.id] = CredentialEnrolment(
                id: p.id, user: id, codeKey: codeKey, expiresAt: time + UInt64(validSeconds) * 1000, usedAt: nil, credentialId: nil)
            // People, roles and policy are unchanged.
            return
        case .revokeCredential(let id, let credentialId):
            let u = try activeUser(id)
            guard u.credentials.contains(where: { $0.credentialId == credentialId }) else {
                throw GovernanceError(.unknownCredential, "\(id) holds no credential \(Base64URL.encode(credentialId.prefix(64)))")
            }
            users[id]!.credentials.removeAll { $0.credentialId == credentialId }
            users[id]!.credentialTimes[credentialId] = nil
        case .addMember(let member, let proof):
            try addMember(member, proof: proof)
            memberSince[member.id] = time
            try reshareVaults(operationId: p.id)
            return
        case .removeMember(let id):
            try removeMember(id)
            memberSince[id] = nil
            try reshareVaults(operationId: p.id)
            return
        case .createVault(let id, let label, let scheme, let environment, let offline):
            try createVault(id: id, label: label, scheme: scheme, environment: environment, offline: offline, operationId: p.id)
            return
        case .addVaultAddress(let vault, let label, let chain, let path):
            try addVaultAddress(vault: vault, label: label, chain: chain, path: path, operationId: p.id)
            return
        case .refreshVault(let id):
            try refreshVault(id: id, operationId: p.id)
            return
        case .readmitSigner(let vault, let node):
            try readmitSigner(vault: vault, node: node, operationId: p.id)
            return
        case .registerAsset(let asset):
            try registerAsset(asset)
            return
        case .removeAsset(let chain, let symbol):
            try removeAsset(chain: chain, symbol: symbol)
            return
        case .cancelNonce(let vault, let chain, let address, let nonce):
            try cancelNonce(vault: vault, chain: chain, address: address, nonce: nonce, operationId: p.id)
            return
        case .cancelAddressBookEntry(let entry):
            try cancelCoolingOff(entry: entry, by: p.proposer, operationId: p.id)
            return
        case .waiveCoolingOff(let entry, let chain, let address, let standing, let lifts):
            try waiveCoolingOff(entry: entry, chain: chain, address: address, standing: standing, lifts: lifts, proposer: p.proposer, operationId: p.id)
            return
        case .clearWatchFlag(let chain, let target):
            try clearWatchFlag(chain: chain, target: target, operationId: p.id)
            return
        case .changePolicy(let yaml, let replaces):
            // Change kind 7 (no base) is retired: what an approver reviewed as the differences
            // must be the differences from the policy in force.
            guard let replaces else {
                throw invalid("this change does not name the policy it replaces (change kind 7, retired): propose it again, naming the "
                              + "policy in force, digest \(Self.policyDigest(of: policyYAML).hexString) (`custos op propose` does)")
            }
            if replaces != Self.policyDigest(of: policyYAML) {
                throw invalid("this change replaces the policy with digest \(replaces.hexString), but the policy in force has digest "
                              + "\(Self.policyDigest(of: policyYAML).hexString): propose it again against the policy in force")
            }
            let (document, policy) = try Self.compile(yaml: yaml, users: users, bots: bots)
            // A misspelt role in the roles section, judged against the document alone (review
            // helper-107 M4; never on a recompile with the registries: commit 1f5ac72).
            if let typo = document.misspeltRoleRefusal { throw GovernanceError(.invalidPolicy, typo) }
            try Self.checkAttestable(policy)
            guard document.version > policyVersion else {
                throw invalid("policy version \(document.version) does not exceed the current \(policyVersion)")
            }
            try restartCoolingOff(from: self.document, to: document, operationId: p.id)
            self.document = document
            self.policy = policy
            try checkGovernableWithoutExpiringGrants()
            self.policyYAML = yaml
            self.policyVersion = document.version
            return
        case .addBot(let id, let key, let roles, let environment):
            try Self.checkUserId(id, what: "bot")
            guard bots[id] == nil else { throw invalid("bot \"\(id)\" exists (ids are never reused)") }
            guard users[id] == nil, !document.principals.contains(where: { $0.id == id && $0.kind == .person }) else {
                throw invalid("\"\(id)\" is a person")
            }
            guard roles.allSatisfy({ !$0.isEmpty }) else { throw invalid("bot \"\(id)\" has an empty role") }
            try checkKeyUnused(key)
            bots[id] = GovernedBot(id: id, key: key, roles: roles, environment: environment, registeredAt: time)
        case .removeBot(let id):
            _ = try activeBot(id)
            bots[id]!.active = false
            // A removed watcher's coverage counts no more, whatever becomes of its id (review helper-68 L3),
            // and its replay cache is freed (review of watch8 L5).
            watches[bots[id]!.environment]?.forget(watcher: id, operationId: p.id)
            monitoring.forgetRefusedReach(of: id)
        case .rotateBotKey(let id, let key):
            let b = try activeBot(id)
            guard b.key != key else { throw invalid("bot \"\(id)\" already uses this key") }
            try checkKeyUnused(key)
            bots[id]!.key = key
            bots[id]!.keyRotatedAt = time
            // What the old key attested counts no more: the watcher covers again from the mark (review helper-68 L3);
            // the old key's nonces guard nothing (its envelopes fail verification): its replay cache is freed.
            watches[b.environment]?.forget(watcher: id, operationId: p.id)
            monitoring.forgetRefusedReach(of: id)
            // Roles and activity are unchanged, so the policy in force is too.
            return
        }
        let recompiled = try Self.compile(document, users: users, bots: bots)
        switch p.change {
        case .revokeRole, .removeUser: try Self.checkAttestersKept(before: policy, after: recompiled)
        default: break
        }
        policy = recompiled
        try checkGovernableWithoutExpiringGrants()
    }

    /// Verifies `registration` for `user` over `challenge` (relying party, flags, attestation at
    /// the block time, against the genesis's roots in production) and stores the credential,
    /// unless another person's or this one's already holds its id.
    mutating func register(_ registration: WebAuthnRegistration.Response, for user: String, challenge: [UInt8]) throws(GovernanceError) {
        let credential: StoredCredential
        do {
            credential = try WebAuthnRegistration.verify(
                registration, expectedChallenge: challenge, relyingParty: relyingParty, requireUserVerification: requireUserVerification,
                attestationRoots: attestationRoots, at: time)
        } catch {
            throw GovernanceError(.registrationRefused, "credential for \(user): \(error.reason)", webAuthn: error.code)
        }
        guard !users.values.contains(where: { $0.credentials.contains { $0.credentialId == credential.credentialId } }) else {
            throw GovernanceError(.invalidChange, "credential \(Base64URL.encode(credential.credentialId.prefix(64))) is already registered")
        }
        users[user]!.credentials.append(credential)
        users[user]!.credentialTimes[credential.credentialId] = CredentialTimes(registeredAt: time, lastUsedAt: nil)
    }

    func activeBot(_ id: String) throws(GovernanceError) -> GovernedBot {
        guard let b = bots[id] else { throw GovernanceError(.unknownBot, "no bot \"\(id.prefix(64))\"") }
        guard b.active else { throw GovernanceError(.inactiveBot, "bot \"\(id)\" has been removed") }
        return b
    }

    /// A key is registered once, ever: a removed bot's key never comes back under another id.
    func checkKeyUnused(_ key: BotPublicKey) throws(GovernanceError) {
        if let holder = bots.values.first(where: { $0.key == key }) {
            throw GovernanceError(.invalidChange, "this key is already registered for bot \"\(holder.id)\"")
        }
    }
}
