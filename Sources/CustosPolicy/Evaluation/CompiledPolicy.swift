import CustosCore
import Synchronization

/// A policy ready to evaluate: the document, checked and compiled once into indexed form.
/// Immutable and `Sendable`; evaluating a request reads it and allocates little.
///
/// Build one with `CompiledPolicy(yaml:)` (or `init(document:)`), which refuses a document with
/// unresolved references, type errors in conditions or unsatisfiable approval groups; warnings
/// (shadowed rules, unlimited allows, ...) are in `warnings`.
public final class CompiledPolicy: Sendable {
    public let document: PolicyDocument
    /// Findings that do not stop the policy from being used.
    public let warnings: [PolicyDiagnostic]
    /// `governanceLockouts(people:)` already answered, by the sorted indices of the people: a
    /// pure function of this policy, kept so that it is worked out once per set of people.
    let lockoutAnswers = Mutex<[[Int]: [GovernanceLockout]]>([:])

    struct Principal: Sendable {
        let id: String
        let kind: PolicyDocument.Principal.Kind
        let roles: BitSet
        let roleNames: [String]
        /// A bot's environment; nil for a person, who acts where their roles act.
        let environment: DeploymentEnvironment?
        /// The enforced onboarding steps a person has not completed: while any is missing, the
        /// policy denies what they initiate and counts them in no group (`roles` is empty).
        let missingOnboarding: [String]
    }

    struct Entry: Sendable {
        let name: String
        let chain: Int
        let address: String
        let counterparty: Int
        let counterpartyName: String?
        let tags: BitSet
        let tagNames: [String]
    }

    struct Limit: Sendable {
        let name: String
        let per: PolicyDocument.WindowLimit.Scope
        let windowSeconds: Int
        let maxUSD: FixedDecimal?
        let maxCount: Int?
    }

    let users: Interner
    let principals: [Principal]
    let roles: Interner
    let chains: Interner
    let assets: Interner
    let vaults: Interner
    let tags: Interner
    let counterparties: Interner
    let groupNames: Interner
    /// Eligible approvers of each group: people only.
    let groupMembers: [BitSet]
    /// Per environment, the roles acting in it; empty when the document scopes no role.
    let environmentRoles: [DeploymentEnvironment: BitSet]
    /// Per environment, each group's members whose roles act in it; empty when the document
    /// scopes no role (every member acts everywhere).
    let environmentGroupMembers: [DeploymentEnvironment: [BitSet]]
    let entries: [Entry]
    /// (chain, normalized address) → entry index.
    let entryByAddress: [AddressKey: Int]
    /// Normalized address → union of the tags of its entries on every chain.
    let tagsByAddress: [String: [String]]
    /// Normalized address → indices of its entries on every chain, in document order.
    let entriesAtAddress: [String: [Int]]
    let limits: [Limit]
    let rules: [CompiledRule]
    /// The address book's EVM addresses, ready for the look-alike test.
    let lookalikes: LookalikeIndex
    /// Indices into `rules` of transfer/call rules and of governance rules.
    let transferRules: [Int]
    let governanceRules: [Int]

    init(
        document: PolicyDocument, warnings: [PolicyDiagnostic], users: Interner, principals: [Principal],
        roles: Interner, chains: Interner, assets: Interner, vaults: Interner, tags: Interner,
        counterparties: Interner, groupNames: Interner, groupMembers: [BitSet],
        environmentRoles: [DeploymentEnvironment: BitSet], environmentGroupMembers: [DeploymentEnvironment: [BitSet]], entries: [Entry],
        entryByAddress: [AddressKey: Int], tagsByAddress: [String: [String]], limits: [Limit], rules: [CompiledRule]
    ) {
        self.document = document
        self.warnings = warnings
        self.users = users
        self.principals = principals
        self.roles = roles
        self.chains = chains
        self.assets = assets
        self.vaults = vaults
        self.tags = tags
        self.counterparties = counterparties
        self.groupNames = groupNames
        self.groupMembers = groupMembers
        self.environmentRoles = environmentRoles
        self.environmentGroupMembers = environmentGroupMembers
        self.entries = entries
        self.entryByAddress = entryByAddress
        self.tagsByAddress = tagsByAddress
        self.limits = limits
        self.rules = rules
        self.lookalikes = LookalikeIndex(document.lookalike, entries: entries)
        var atAddress: [String: [Int]] = [:]
        for (i, e) in entries.enumerated() { atAddress[e.address, default: []].append(i) }
        self.entriesAtAddress = atAddress
        self.transferRules = rules.indices.filter { !rules[$0].governance }
        self.governanceRules = rules.indices.filter { rules[$0].governance }
    }

    /// Reads, checks and compiles a policy from YAML.
    public convenience init(yaml: String) throws(PolicyLoadError) {
        try self.init(document: PolicyDocument.decode(yaml: yaml))
    }

    /// Checks and compiles a decoded document; throws every error found, with positions.
    public convenience init(document: PolicyDocument) throws(PolicyLoadError) {
        var compiler = PolicyCompiler(document: document)
        let parts = try compiler.compile()
        let draft = CompiledPolicy(parts: parts, document: document, warnings: [])
        let findings = PolicyChecker.check(draft)
        if findings.contains(where: { $0.severity == .error }) { throw PolicyLoadError(findings) }
        self.init(parts: parts, document: document, warnings: findings.sorted { $0.location < $1.location })
        // The checker's lockout answers hold for this policy too: the same parts, the same document.
        let answers = draft.lockoutAnswers.withLock { $0 }
        lockoutAnswers.withLock { $0 = answers }
    }

    /// Compiles a document that a cluster adopted already, without `PolicyChecker`'s findings:
    /// for a reader that holds the text but not the registries the nodes compiled it with (an
    /// offline signer re-evaluating a request), to whom every group looks empty. Its decisions
    /// ask approvals it cannot count; never for putting a policy in force.
    package convenience init(adopted yaml: String) throws(PolicyLoadError) {
        let document = try PolicyDocument.decode(yaml: yaml)
        var compiler = PolicyCompiler(document: document)
        self.init(parts: try compiler.compile(), document: document, warnings: [])
    }

    private convenience init(parts: PolicyCompiler.Parts, document: PolicyDocument, warnings: [PolicyDiagnostic]) {
        self.init(
            document: document, warnings: warnings, users: parts.users, principals: parts.principals,
            roles: parts.roles, chains: parts.chains, assets: parts.assets, vaults: parts.vaults, tags: parts.tags,
            counterparties: parts.counterparties, groupNames: parts.groupNames, groupMembers: parts.groupMembers,
            environmentRoles: parts.environmentRoles, environmentGroupMembers: parts.environmentGroupMembers,
            entries: parts.entries, entryByAddress: parts.entryByAddress, tagsByAddress: parts.tagsByAddress,
            limits: parts.limits, rules: parts.rules)
    }

    /// The people (not bots) in a group, by id.
    public func members(ofGroup name: String) -> [String] {
        let g = groupNames.lookup(name)
        guard g >= 0 else { return [] }
        return groupMembers[g].members.map { users.names[$0] }
    }
}
