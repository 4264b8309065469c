extension CompiledPolicy {
    /// Someone a matrix row stands for: a principal of the policy, or a person holding one role.
    private struct Subject {
        let name: String
        let kind: String
        /// The principal's index, or -1 for a role on its own.
        let user: Int
        let roles: BitSet
        let roleNames: [String]
        let principalKind: PolicyDocument.Principal.Kind
    }

    /// The number of cells `accessMatrix` would have: a draft over a budget is refused before
    /// its matrix is computed.
    public var accessMatrixCells: Int {
        (principals.count + roles.count) * (GovernanceOperation.Action.allCases.count + 2 * document.vaults.count)
    }

    /// The access matrix of this policy (`AccessMatrix`): a row for every principal, then one for
    /// every role on its own; a column per governance operation (`propose`, `approve`, or both;
    /// for `freeze`, `alone` where a freeze by them executes at once), then per vault of the policy
    /// who may initiate which kinds of request there and who may approve requests there.
    /// `environments` names each vault's environment (a vault not created yet has none): its
    /// titles say it, and its cells count only who acts there — a bot of its environment, roles
    /// acting in it (`roles` section), as `evaluate` does.
    ///
    /// Read from the rules' clauses on operation, request kind, initiator and vault: a cell says
    /// that some operation or request of that kind is allowed (or held for approvals) for them,
    /// not that every one is — amounts, destinations, times and limits still decide each request,
    /// and a deny rule may refuse particular ones. Approvals: a person in a group that a require
    /// rule asks for, when someone else initiated (the initiator never approves their own).
    ///
    /// `acting` names the principals that can act (registered, active): every other one's row is
    /// empty, since the nodes refuse whatever they sign (nil: every principal of the policy). So
    /// is the row of a person who has not completed onboarding, which names the missing steps.
    public func accessMatrix(environments: [String: DeploymentEnvironment] = [:], acting: Set<String>? = nil) -> AccessMatrix {
        let actions = GovernanceOperation.Action.allCases
        let vaultNames = document.vaults.map(\.value)
        var columns = actions.map { AccessMatrix.Column(key: "governance:\($0.rawValue)", title: $0.rawValue) }
        for vault in vaultNames {
            let scope = environments[vault].map { "\(vault) (\($0.rawValue))" } ?? vault
            columns.append(.init(key: "initiate:\(vault)", title: "initiate on \(scope)"))
            columns.append(.init(key: "approve:\(vault)", title: "approve on \(scope)"))
        }
        var subjects: [Subject] = principals.enumerated().map { index, p in
            Subject(name: p.id, kind: p.kind.rawValue, user: index, roles: p.roles, roleNames: p.roleNames, principalKind: p.kind)
        }
        // A row per role someone holds (a role the policy names that nobody holds is no one's).
        let held = Set(document.principals.flatMap { $0.roles.map(\.value) })
        for (index, role) in roles.names.enumerated() where held.contains(role) {
            var bits = BitSet(capacity: roles.count)
            bits.insert(index)
            subjects.append(Subject(name: role, kind: "role", user: -1, roles: bits, roleNames: [role], principalKind: .person))
        }
        let acts = { (s: Subject) in
            s.user < 0 || (self.principals[s.user].missingOnboarding.isEmpty && acting.map { $0.contains(s.name) } ?? true)
        }
        let proposers = subjects.filter { $0.user >= 0 && $0.principalKind == .person && acts($0) }
        // For each operation, the groups some require rule asks for when someone who may propose
        // it does, with who proposed: an approver is in one and is not that proposer.
        let askedGroups = actions.map { action in
            proposers.filter { governance(of: $0, action) == .needsApprovals }.map { proposer in
                (proposer: proposer.user, groups: Set(governanceRules.flatMap { index -> [Int] in
                    let rule = rules[index]
                    guard governs(rule, action), admits(rule, proposer), case .require(let requirement) = rule.effect else { return [] }
                    return requirement.alternatives.flatMap { $0.map(\.group) }
                }))
            }
        }
        let rows = subjects.map { s -> AccessMatrix.Row in
            guard acts(s) else {
                let missing = principals[s.user].missingOnboarding
                return AccessMatrix.Row(
                    subject: s.name, kind: s.kind, roles: s.roleNames, cells: Array(repeating: "", count: columns.count),
                    missingOnboarding: missing.isEmpty ? nil : missing)
            }
            var cells: [String] = []
            let groups = groupIndices(of: s)
            for (a, action) in actions.enumerated() {
                // Governance is people's: the nodes take a proposal or a decision only over a
                // person's WebAuthn assertion.
                guard s.principalKind == .person else {
                    cells.append("")
                    continue
                }
                var what: [String] = []
                switch governance(of: s, action) {
                case .executes: what.append(action == .freeze ? "alone" : "propose")
                case .needsApprovals: what.append("propose")
                case .refused: break
                }
                if askedGroups[a].contains(where: { $0.proposer != s.user && !$0.groups.isDisjoint(with: groups) }) { what.append("approve") }
                cells.append(what.joined(separator: ", "))
            }
            for vault in vaultNames {
                let v = vaults.lookup(vault)
                let environment = environments[vault]
                guard let there = scoped(s, in: environment) else {
                    cells += ["", ""]
                    continue
                }
                cells.append(initiableKinds(by: there, vault: v).map(\.rawValue).joined(separator: ", "))
                cells.append(mayApproveRequests(there, vault: v, groups: groupIndices(of: there, in: environment)) ? "approve" : "")
            }
            return AccessMatrix.Row(subject: s.name, kind: s.kind, roles: s.roleNames, cells: cells)
        }
        return AccessMatrix(columns: columns, rows: rows)
    }

    private enum Governed { case executes, needsApprovals, refused }

    /// `s` as it acts on a vault of `environment`: with only its roles acting there, or nil
    /// when it does not act there at all (a bot of another environment, a person or a role
    /// scoped elsewhere). Unchanged for a vault without an environment.
    private func scoped(_ s: Subject, in environment: DeploymentEnvironment?) -> Subject? {
        guard let environment else { return s }
        if s.user >= 0 {
            guard environments(of: s.user).contains(environment) else { return nil }
        } else if let acting = environmentRoles[environment], !s.roles.intersects(acting) {
            return nil
        }
        let roles = environmentRoles[environment].map { s.roles.intersection($0) } ?? s.roles
        return Subject(name: s.name, kind: s.kind, user: s.user, roles: roles, roleNames: s.roleNames, principalKind: s.principalKind)
    }

    /// Whether a rule's initiator clauses admit `s` (as `match` reads them).
    private func admits(_ rule: CompiledRule, _ s: Subject) -> Bool {
        if rule.initiatorUsers != nil || rule.initiatorRoles != nil {
            let inUsers = s.user >= 0 && (rule.initiatorUsers?.contains(s.user) ?? false)
            let inRoles = rule.initiatorRoles?.intersects(s.roles) ?? false
            if (inUsers || inRoles) == rule.initiatorNegated { return false }
        }
        if let kind = rule.initiatorKind, kind != s.principalKind { return false }
        return true
    }

    private func governs(_ rule: CompiledRule, _ action: GovernanceOperation.Action) -> Bool {
        rule.operations == 0 || rule.operations & PolicyCompiler.operationBit(action) != 0
    }

    /// Whether a rule has no clause but those on operation or kind, initiator and vault: a deny
    /// rule refuses everything it admits only then (one limited to office hours, say, does not).
    private func unconditional(_ rule: CompiledRule) -> Bool {
        rule.chains == nil && rule.assets == nil && rule.destination == nil && rule.amount == nil && rule.amountUSD == nil
            && rule.fee == nil && rule.call == nil && rule.message == nil && rule.during == nil && rule.outside == nil
            && rule.within.isEmpty && rule.exceeds.isEmpty && rule.condition == nil
    }

    /// What becomes of `action` proposed by `s`, as `evaluate` decides a governance operation
    /// from its rules' operation and initiator clauses: refused by an unconditional deny rule or
    /// for want of an allow rule, held when a require rule applies, else executed at once.
    private func governance(of s: Subject, _ action: GovernanceOperation.Action) -> Governed {
        var allowed = false, held = false
        for index in governanceRules {
            let rule = rules[index]
            guard governs(rule, action), admits(rule, s) else { continue }
            switch rule.effect {
            case .deny: if unconditional(rule) { return .refused }
            case .allow: allowed = true
            case .require: held = true
            }
        }
        return !allowed ? .refused : held ? .needsApprovals : .executes
    }

    /// The request kinds for which an allow rule admits `s` as initiator on vault `vault`, and
    /// no unconditional deny rule refuses them there.
    private func initiableKinds(by s: Subject, vault: Int) -> [PolicyRequest.Kind] {
        [.transfer, .contractCall, .deploy, .message].filter { kind in
            func applies(_ rule: CompiledRule) -> Bool {
                rule.kinds & PolicyCompiler.kindBit(kind) != 0 && admits(rule, s) && (rule.vaults.map { vault >= 0 && $0.contains(vault) } ?? true)
            }
            let rulesOfKind = transferRules.map { rules[$0] }.filter(applies)
            if rulesOfKind.contains(where: { if case .deny = $0.effect { return unconditional($0) } else { return false } }) { return false }
            return rulesOfKind.contains { if case .allow = $0.effect { return true } else { return false } }
        }
    }

    /// Whether `s`, a person, may approve some request on `vault`: in a group of any alternative
    /// of a require rule there, as the nodes let every alternative's groups approve
    /// (`PolicyDecision.askedGroups`).
    private func mayApproveRequests(_ s: Subject, vault: Int, groups: Set<Int>) -> Bool {
        guard s.principalKind == .person else { return false }
        return transferRules.contains { index in
            let rule = rules[index]
            guard case .require(let requirement) = rule.effect, rule.vaults.map({ vault >= 0 && $0.contains(vault) }) ?? true else { return false }
            return requirement.alternatives.contains { $0.contains { groups.contains($0.group) } }
        }
    }

    /// The approver groups `s` is in: a principal's as compiled, a role's by the groups that
    /// name the role.
    private func groupIndices(of s: Subject, in environment: DeploymentEnvironment? = nil) -> Set<Int> {
        let members = groupMembers(in: environment)
        if s.user >= 0 { return Set(members.indices.filter { members[$0].contains(s.user) }) }
        let role = s.roleNames.first ?? ""
        return Set(document.groups.filter { $0.roles.contains { $0.value == role } }.map { groupNames.lookup($0.name) }.filter { $0 >= 0 })
    }
}
