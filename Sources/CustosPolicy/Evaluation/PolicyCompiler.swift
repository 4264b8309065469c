import CustosCore

/// Resolves a document's names into indices, compiles its conditions, generates the governance
/// rules, and reports every unresolved reference or type error with its position.
struct PolicyCompiler {
    struct Parts {
        var warnings: [PolicyDiagnostic] = []
        var users = Interner()
        var principals: [CompiledPolicy.Principal] = []
        var roles = Interner()
        var chains = Interner()
        var assets = Interner()
        var vaults = Interner()
        var tags = Interner()
        var counterparties = Interner()
        var groupNames = Interner()
        var groupMembers: [BitSet] = []
        /// Only for a document with a `roles` section: per environment, the roles that act in
        /// it and each group's members there.
        var environmentRoles: [DeploymentEnvironment: BitSet] = [:]
        var environmentGroupMembers: [DeploymentEnvironment: [BitSet]] = [:]
        var entries: [CompiledPolicy.Entry] = []
        var entryByAddress: [AddressKey: Int] = [:]
        var tagsByAddress: [String: [String]] = [:]
        var limits: [CompiledPolicy.Limit] = []
        var rules: [CompiledRule] = []
    }

    let document: PolicyDocument
    var parts = Parts()
    var errors: [PolicyDiagnostic] = []

    init(document: PolicyDocument) { self.document = document }

    mutating func error(_ code: PolicyDiagnostic.Code, _ at: SourceLocation, _ message: String) {
        errors.append(.error(code, at: at, message))
    }

    mutating func compile() throws(PolicyLoadError) -> Parts {
        // Names first: everything a rule may refer to.
        for principal in document.principals {
            for role in principal.roles { parts.roles.intern(role.value) }
        }
        // A role a group, rule, governance section or onboarding step names that nobody holds is
        // a known role with no holder, never an unknown reference: the policy in force is compiled
        // again with the registries whenever someone leaves, and removing a role's last holder
        // must not fail for it (`unheld-role` warns of it and refuses a change-policy at proposal).
        for named in document.rolesNamedOutsidePrincipals { parts.roles.intern(named.role) }
        for principal in document.principals {
            parts.users.intern(principal.id)
            // A person who has not completed onboarding holds their roles in the registry, but
            // none of them counts: their role names stay known, their bits are empty.
            let counted = principal.missingOnboarding.isEmpty ? principal.roles : []
            parts.principals.append(CompiledPolicy.Principal(
                id: principal.id, kind: principal.kind,
                roles: BitSet(counted.map { parts.roles.lookup($0.value) }, capacity: parts.roles.count),
                roleNames: counted.map(\.value),
                environment: principal.kind == .bot ? principal.environment ?? .unnamedBot : nil,
                missingOnboarding: principal.missingOnboarding))
        }
        for asset in document.assets {
            parts.assets.intern(asset.symbol)
            for chain in asset.chains { parts.chains.intern(chain.value) }
        }
        for vault in document.vaults { parts.vaults.intern(vault.value) }
        for entry in document.addressBook {
            for tag in entry.tags { parts.tags.intern(tag.value) }
            if let c = entry.counterparty { parts.counterparties.intern(c) }
        }
        for bound in document.poisoning.dust.keys.sorted(by: { $0.location < $1.location }) where parts.assets.lookup(bound.value) < 0 {
            error(.unknownReference, bound.location, "asset '\(bound.value)' of poisoning.dust is not an asset of the policy")
        }
        for limit in document.feeLimits where parts.chains.lookup(limit.chain.value) < 0 {
            error(.unknownReference, limit.chain.location, "chain '\(limit.chain.value)' of fee_limits is not a chain of any asset")
        }
        for chain in document.alerts.receiptDeadlineByChain.keys.sorted(by: { $0.location < $1.location }) where parts.chains.lookup(chain.value) < 0 {
            error(.unknownReference, chain.location, "chain '\(chain.value)' of alerts.receipt_deadline_by_chain is not a chain of any asset")
        }
        let monitored = document.monitoring.contracts.map { ($0.chain, "monitoring.contracts entry '\($0.name)'") }
            + document.monitoring.largeTransfers.map { ($0.chain, "monitoring.large_transfers") }
        for (chain, what) in monitored where parts.chains.lookup(chain.value) < 0 {
            error(.unknownReference, chain.location, "chain '\(chain.value)' of \(what) is not a chain of any asset")
        }
        for entry in document.addressBook {
            let chain = parts.chains.lookup(entry.chain.value)
            if chain < 0 {
                error(.unknownReference, entry.chain.location,
                      "chain '\(entry.chain.value)' of address book entry '\(entry.name)' is not a chain of any asset")
            }
            let normalized = AddressNormalization.normalize(entry.address)
            let key = AddressKey(chain: entry.chain.value, address: normalized)
            if let other = parts.entryByAddress[key] {
                error(.duplicateName, entry.location,
                      "address book entries '\(parts.entries[other].name)' and '\(entry.name)' have the same address on \(entry.chain.value)")
            }
            parts.entryByAddress[key] = parts.entries.count
            parts.tagsByAddress[normalized, default: []].append(contentsOf: entry.tags.map(\.value))
            parts.entries.append(CompiledPolicy.Entry(
                name: entry.name, chain: chain, address: normalized,
                counterparty: entry.counterparty.map { parts.counterparties.lookup($0) } ?? -1,
                counterpartyName: entry.counterparty,
                tags: BitSet(entry.tags.map { parts.tags.lookup($0.value) }, capacity: parts.tags.count),
                tagNames: entry.tags.map(\.value)))
        }
        checkCoolingOff()
        for group in document.groups {
            parts.groupNames.intern(group.name)
            var members = BitSet(capacity: parts.users.count)
            for user in group.users {
                let u = parts.users.lookup(user.value)
                if u < 0 {
                    error(.unknownReference, user.location, "group '\(group.name)' names unknown user '\(user.value)'")
                } else if parts.principals[u].kind == .bot {
                    error(.invalidValue, user.location, "group '\(group.name)' names bot '\(user.value)'; bots never approve")
                } else if parts.principals[u].missingOnboarding.isEmpty {
                    members.insert(u)
                }
            }
            for role in group.roles {
                // A role nobody holds adds nobody (see "Names first"; commit 1f5ac72).
                let r = parts.roles.lookup(role.value)
                guard r >= 0 else { continue }
                for (u, p) in parts.principals.enumerated() where p.kind == .person && p.roles.contains(r) {
                    members.insert(u)
                }
            }
            parts.groupMembers.append(members)
        }
        scopeRoles()
        for limit in document.limits {
            parts.limits.append(CompiledPolicy.Limit(
                name: limit.name, per: limit.per, windowSeconds: limit.windowSeconds, maxUSD: limit.maxUSD,
                maxCount: limit.maxCount))
        }
        for rule in document.rules {
            if let compiled = compileRule(rule, index: parts.rules.count) { parts.rules.append(compiled) }
        }
        if let governance = document.governance { compileGovernance(governance) }
        if !errors.isEmpty { throw PolicyLoadError(errors) }
        return parts
    }

    // MARK: - Environments

    /// Resolves the `roles` section: per environment, the roles acting in it (every role the
    /// section does not name) and each group's members there — holders of a group role that
    /// acts in it, and the people the group names who act in it (`CompiledPolicy.acts`).
    mutating func scopeRoles() {
        var seen: [String: SourceLocation] = [:]
        for scope in document.roles {
            if let first = seen[scope.role] {
                error(.duplicateName, scope.location, "role '\(scope.role)' is scoped twice (first at line \(first.line))")
            }
            seen[scope.role] = scope.location
        }
        guard !document.roles.isEmpty else { return }
        for environment in DeploymentEnvironment.allCases {
            let acting = BitSet(
                parts.roles.names.indices.filter { r in
                    document.roles.first { $0.role == parts.roles.names[r] }.map { $0.environments.contains(environment) } ?? true
                },
                capacity: parts.roles.count)
            parts.environmentRoles[environment] = acting
            var groups: [BitSet] = []
            for group in document.groups {
                var members = BitSet(capacity: parts.users.count)
                let groupRoles = BitSet(group.roles.map { parts.roles.lookup($0.value) }.filter { $0 >= 0 }, capacity: parts.roles.count)
                for (u, p) in parts.principals.enumerated() where p.kind == .person {
                    let named = p.missingOnboarding.isEmpty && group.users.contains { $0.value == p.id }
                    let actingRoles = p.roles.intersection(acting)
                    if actingRoles.intersects(groupRoles) || (named && !actingRoles.isEmpty) { members.insert(u) }
                }
                groups.append(members)
            }
            parts.environmentGroupMembers[environment] = groups
        }
    }

    // MARK: - Rules

    mutating func resolve(
        _ names: [Spanned<String>]?, in interner: Interner, what: String, rule: String
    ) -> BitSet? {
        guard let names else { return nil }
        var set = BitSet(capacity: interner.count)
        for name in names {
            let i = interner.lookup(name.value)
            if i < 0 {
                let hint = NodeReader.closest(name.value, in: interner.names).map { "; did you mean '\($0)'?" } ?? ""
                error(.unknownReference, name.location, "rule '\(rule)' refers to unknown \(what) '\(name.value)'\(hint)")
            } else {
                set.insert(i)
            }
        }
        return set
    }

    private func range(_ r: PolicyDocument.AmountRange?) -> CompiledRule.Range? {
        r.map { CompiledRule.Range(over: $0.over, atLeast: $0.atLeast, upTo: $0.upTo, under: $0.under) }
    }

    private mutating func limitIndices(_ names: [Spanned<String>], rule: String) -> [Int] {
        names.compactMap { name in
            guard let i = parts.limits.firstIndex(where: { $0.name == name.value }) else {
                error(.unknownReference, name.location, "rule '\(rule)' refers to unknown limit '\(name.value)'")
                return nil
            }
            return i
        }
    }

    mutating func requirement(_ r: PolicyDocument.Requirement, at location: SourceLocation, rule: String) -> ApprovalRequirement? {
        var ok = true
        func check(_ r: PolicyDocument.Requirement) {
            switch r {
            case .group(let g, _):
                if parts.groupNames.lookup(g.value) < 0 {
                    errors.append(.error(.unknownReference, at: g.location, "\(rule) refers to unknown group '\(g.value)'"))
                    ok = false
                }
            case .all(let c), .any(let c): c.forEach(check)
            }
        }
        check(r)
        guard ok else { return nil }
        let groups = parts.groupNames
        guard let alternatives = ApprovalRequirement.normalize(r, groupIndex: { groups.lookup($0) }) else {
            error(.limitExceeded, location,
                  "\(rule): the approval requirement has more than \(ApprovalRequirement.maxAlternatives) alternatives or needs more than \(ApprovalRequirement.maxSlots) approvals in one")
            return nil
        }
        return ApprovalRequirement(alternatives: alternatives)
    }

    /// The bit of `CompiledRule.kinds` for a request kind (governance has none: its rules match
    /// by operation).
    static func kindBit(_ kind: PolicyRequest.Kind) -> UInt8 {
        switch kind {
        case .transfer: return 1
        case .contractCall: return 2
        case .message: return 4
        case .deploy: return 8
        case .governance: return 0
        }
    }

    private mutating func compileRule(_ rule: PolicyDocument.Rule, index: Int) -> CompiledRule? {
        let m = rule.match
        let errorCount = errors.count
        let effect: CompiledRule.Effect
        switch rule.outcome {
        case .allow: effect = .allow
        case .deny: effect = .deny
        case .require(let r):
            guard var req = requirement(r, at: rule.location, rule: "rule '\(rule.name)'") else { return nil }
            req.expirySeconds = rule.approvalExpirySeconds ?? PolicyDecision.defaultApprovalExpirySeconds
            effect = .require(req)
        }
        var kinds: UInt8 = 0
        for k in m.kinds ?? [] {
            if let kind = PolicyRequest.Kind(rawValue: k.value) { kinds |= Self.kindBit(kind) }
        }
        var destination: CompiledRule.Destination?
        if let d = m.destination {
            var entrySet = BitSet(capacity: parts.entries.count)
            for e in d.entries {
                if let i = parts.entries.firstIndex(where: { $0.name == e.value }) {
                    entrySet.insert(i)
                } else {
                    error(.unknownReference, e.location, "rule '\(rule.name)' refers to unknown address book entry '\(e.value)'")
                }
            }
            destination = CompiledRule.Destination(
                entries: entrySet,
                tags: resolve(d.tags, in: parts.tags, what: "tag (no address book entry has it)", rule: rule.name) ?? BitSet(capacity: 0),
                counterparties: resolve(d.counterparties, in: parts.counterparties, what: "counterparty", rule: rule.name) ?? BitSet(capacity: 0),
                hasSets: !d.isOnlyKnownness, known: d.known)
        }
        var call: CompiledRule.Call?
        if let c = m.call {
            var targets: Set<String>?
            if let ts = c.targets {
                var set: Set<String> = []
                for t in ts {
                    if let e = parts.entries.first(where: { $0.name == t.value }) {
                        set.insert(e.address)
                    } else if t.value.hasPrefix("0x") {
                        set.insert(AddressNormalization.normalize(t.value))
                    } else {
                        error(.unknownReference, t.location, "call target '\(t.value)' is neither an address book entry nor a 0x address")
                    }
                }
                targets = set
            }
            call = CompiledRule.Call(targets: targets, functions: c.functions.map { Set($0.map(\.value)) })
            kinds = kinds == 0 ? 2 : kinds
        }
        var message: CompiledRule.Message?
        if let mm = m.message {
            message = CompiledRule.Message(
                formats: mm.formats.map { Set($0.compactMap { PolicyRequest.Message.Format(rawValue: $0.value) }) },
                domainNames: mm.domainNames.map { Set($0.map(\.value)) },
                domainVersions: mm.domainVersions.map { Set($0.map(\.value)) },
                chainIds: mm.chainIds.map { Set($0.compactMap { FixedDecimal(parsing: $0.value)?.description }) },
                verifyingContracts: mm.verifyingContracts.map { Set($0.map { AddressNormalization.normalize($0.value) }) },
                primaryTypes: mm.primaryTypes.map { Set($0.map(\.value)) })
            if m.call != nil {
                error(.invalidValue, mm.location, "rule '\(rule.name)' has a call clause and a message clause; a request is one or the other")
            }
            if kinds != 0 && kinds & Self.kindBit(.message) == 0 {
                error(.invalidValue, mm.location, "rule '\(rule.name)' has a message clause but its kind excludes message")
            }
            kinds = Self.kindBit(.message)
        }
        // No kind, no call and no message clause: transfers only. A contract call is covered
        // only by a rule that says so (`kind: [contract_call]` or a `call:` clause).
        if kinds == 0 { kinds = Self.kindBit(.transfer) }
        var operations: UInt32 = 0
        for op in m.operations ?? [] {
            if let i = GovernanceOperation.Action.allCases.firstIndex(where: { $0.rawValue == op.value }) {
                operations |= 1 << UInt32(i)
            }
        }
        var condition: CompiledExpression?
        if let when = rule.when {
            do {
                condition = try ExpressionCompiler.compileCondition(when.value, at: when.location)
            } catch {
                errors.append(.error(
                    error.kind == .type ? .expressionType : .expressionSyntax,
                    at: error.location, "rule '\(rule.name)': \(error.message)"))
            }
        }
        if m.operations != nil {
            let transferOnly = m.kinds != nil || m.vaults != nil || m.chains != nil || m.assets != nil || m.destination != nil
                || m.amount != nil || m.amountUSD != nil || m.fee != nil || m.call != nil || m.message != nil || !m.within.isEmpty
                || !m.exceeds.isEmpty
            if transferOnly {
                error(.invalidValue, rule.location,
                      "rule '\(rule.name)' matches governance operations and transfer fields at once; split it into two rules")
            }
        }
        let compiled = CompiledRule(
            name: rule.name, index: index, effect: effect, location: rule.location, governance: m.operations != nil,
            kinds: kinds,
            initiatorUsers: resolve(m.initiatorUsers, in: parts.users, what: "user", rule: rule.name),
            initiatorRoles: resolve(m.initiatorRoles, in: parts.roles, what: "role", rule: rule.name),
            initiatorKind: m.initiatorKind, initiatorNegated: false,
            vaults: resolve(m.vaults, in: parts.vaults, what: "vault", rule: rule.name),
            chains: resolve(m.chains, in: parts.chains, what: "chain", rule: rule.name),
            assets: resolve(m.assets, in: parts.assets, what: "asset", rule: rule.name),
            destination: destination, amount: range(m.amount), amountUSD: range(m.amountUSD), fee: range(m.fee),
            call: call, message: message, during: m.during, outside: m.outside,
            within: limitIndices(m.within, rule: rule.name), exceeds: limitIndices(m.exceeds, rule: rule.name),
            operations: operations, condition: condition, conditionSource: rule.when?.value)
        return errors.count == errorCount ? compiled : nil
    }
}
