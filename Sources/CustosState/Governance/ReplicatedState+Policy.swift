import CustosCore
import CustosCrypto
import CustosIdentity
import CustosPolicy

extension ReplicatedState {
    /// The digest a `change-policy` names the document it replaces by: SHA-256 of the document's
    /// UTF-8 text, exactly as adopted (`sha256sum` of the file gives the same).
    public static func policyDigest(of yaml: String) -> [UInt8] { Hashes.sha256(Array(yaml.utf8)) }

    /// The document with its principals taken from the registries: every person, and every bot
    /// the bot registry holds, is replaced by the registry's record (active ones with their
    /// roles, removed ones with none); registered people and bots the document does not name are
    /// added; document bots that were never registered are kept (they hold no key, so no request
    /// of theirs verifies). A person carries the enforced onboarding steps they miss
    /// (`missingOnboarding(of:under:)`), so that none of their roles counts until they are done.
    static func effectiveDocument(
        _ document: PolicyDocument, users: [String: GovernedUser], bots: [String: GovernedBot] = [:]
    ) -> PolicyDocument {
        var d = document
        var principals: [PolicyDocument.Principal] = []
        var seen: Set<String> = []
        for p in document.principals {
            if let u = users[p.id] {
                seen.insert(p.id)
                principals.append(PolicyDocument.Principal(
                    id: p.id, kind: .person, roles: u.active ? u.roles : [], missingOnboarding: missingOnboarding(of: u, under: document),
                    location: p.location))
            } else if let b = bots[p.id] {
                seen.insert(p.id)
                principals.append(PolicyDocument.Principal(id: p.id, kind: .bot, roles: b.active ? b.roles : [], environment: b.environment, location: p.location))
            } else {
                principals.append(p)
            }
        }
        for id in users.keys.sorted() where !seen.contains(id) {
            let u = users[id]!
            principals.append(PolicyDocument.Principal(
                id: id, kind: .person, roles: u.active ? u.roles : [], missingOnboarding: missingOnboarding(of: u, under: document)))
        }
        for id in bots.keys.sorted() where !seen.contains(id) {
            let b = bots[id]!
            principals.append(PolicyDocument.Principal(id: id, kind: .bot, roles: b.active ? b.roles : [], environment: b.environment))
        }
        d.principals = principals
        return d
    }

    /// Decodes a policy, checks that its people come from the registry, compiles it with them,
    /// and checks that governance stays possible.
    static func compile(
        yaml: String, users: [String: GovernedUser], bots: [String: GovernedBot] = [:]
    ) throws(GovernanceError) -> (PolicyDocument, CompiledPolicy) {
        let document = try decode(yaml: yaml)
        guard document.governance != nil else {
            throw GovernanceError(.invalidPolicy, "policy has no governance section")
        }
        let policy = try compile(document, users: users, bots: bots)
        return (document, policy)
    }

    /// `compiledWithRegistries`, then the governability check.
    static func compile(
        _ document: PolicyDocument, users: [String: GovernedUser], bots: [String: GovernedBot] = [:]
    ) throws(GovernanceError) -> CompiledPolicy {
        let policy = try compiledWithRegistries(document, users: users, bots: bots)
        try checkGovernable(policy, users: users)
        return policy
    }

    /// A policy document from YAML, or why it does not parse.
    static func decode(yaml: String) throws(GovernanceError) -> PolicyDocument {
        do { return try PolicyDocument.decode(yaml: yaml) } catch {
            throw GovernanceError(.invalidPolicy, "policy does not parse: \(error.errors.first?.description ?? "\(error)")")
        }
    }

    /// `document` compiled with the registries' people and bots (`effectiveDocument`), without
    /// the governability check; or why it does not check.
    static func compiledWithRegistries(
        _ document: PolicyDocument, users: [String: GovernedUser], bots: [String: GovernedBot]
    ) throws(GovernanceError) -> CompiledPolicy {
        do { return try CompiledPolicy.compiled(effectiveDocument(document, users: users, bots: bots)) } catch {
            throw GovernanceError(
                .invalidPolicy, "policy does not check with the cluster's users: \(error.errors.first?.description ?? "\(error)")")
        }
    }

    /// Governance must stay reachable by the people who can actually act (active, with a
    /// credential): `CompiledPolicy.governanceLockouts(people:)` finds no way for them to be
    /// locked out of changing the policy or lifting a freeze — neither for want of approvers nor
    /// by one of them rejecting, and a freeze at no time of the week.
    static func checkGovernable(_ policy: CompiledPolicy, users: [String: GovernedUser]) throws(GovernanceError) {
        let able = users.values.filter { $0.active && !$0.credentials.isEmpty }.map(\.id).sorted()
        if let lockout = policy.governanceLockouts(people: able).first {
            throw GovernanceError(.lockout, "with the active people who hold credentials, \(lockout)")
        }
    }
}
