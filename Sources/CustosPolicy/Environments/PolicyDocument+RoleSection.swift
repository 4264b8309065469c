/// The `roles` section held against the rest of the document alone (review helper-107 M4): a
/// misspelt role there leaves the role meant acting in every environment, unnoticed. Judged from
/// the document's own text only, never with the registries' people and bots, so that nothing a
/// registry change does (offboarding or revoking the last holder of a role) can make a policy in
/// force fail to compile again (commit 1f5ac72).
extension PolicyDocument {
    /// Every role the document itself names outside the `roles` section: its principals',
    /// its groups', its rules' initiator roles, the governance section's proposers and freezers,
    /// and the onboarding steps' `attested_by`.
    public var rolesUsed: Set<String> {
        var used: Set<String> = []
        for p in principals { used.formUnion(p.roles.map(\.value)) }
        used.formUnion(rolesNamedOutsidePrincipals.map(\.role))
        return used
    }

    /// The roles the groups, rules, governance section and onboarding steps name, each with
    /// where and what names it, in document order.
    var rolesNamedOutsidePrincipals: [(role: String, location: SourceLocation, by: String)] {
        var named: [(role: String, location: SourceLocation, by: String)] = []
        for g in groups { named += g.roles.map { ($0.value, $0.location, "group '\(g.name)'") } }
        for r in rules { named += (r.match.initiatorRoles ?? []).map { ($0.value, $0.location, "rule '\(r.name)'") } }
        if let governance {
            named += governance.proposerRoles.map { ($0.value, $0.location, "governance.proposers") }
            named += governance.freezeRoles.map { ($0.value, $0.location, "governance.freeze") }
        }
        for step in onboarding {
            if let role = step.attestedBy { named.append((role.value, role.location, "onboarding step '\(step.name)' (attested_by)")) }
        }
        return named
    }

    /// What the `roles` section gets wrong against the rest of the document, as warnings, in
    /// document order; none without a `roles` section:
    /// - a role it scopes that nothing else in the document names (nor a rule's `when`
    ///   condition mentions): `misspelt-role` when a role the document uses is at most two
    ///   edits from it (named as the likely one meant), else `unused-role`;
    /// - a role a group, rule, governance section or onboarding step names that it omits (so
    ///   the role acts in every environment): `unscoped-role`, naming a scoped role at most two
    ///   edits from it, unless the finding above already names it.
    /// A `change-policy` is refused on a `misspelt-role` finding (`ReplicatedState`); `custos
    /// policy check` reports them all.
    public func roleSectionFindings() -> [PolicyDiagnostic] {
        guard !roles.isEmpty else { return [] }
        let used = rolesUsed
        let scoped = Set(roles.map(\.role))
        let conditions = rules.compactMap(\.when?.value)
        var out: [PolicyDiagnostic] = []
        for scope in roles where !used.contains(scope.role) && !conditions.contains(where: { $0.contains(scope.role) }) {
            let candidates = used.subtracting(scoped).sorted()
            if let meant = NodeReader.closest(scope.role, in: candidates) {
                out.append(.warning(.misspeltRole, at: scope.location,
                                    "role '\(scope.role)' in the roles section is named nowhere else in the policy; did you mean '\(meant)'? "
                                        + "As written, '\(meant)' acts in every environment"))
            } else {
                out.append(.warning(.unusedRole, at: scope.location,
                                    "role '\(scope.role)' in the roles section is named nowhere else in the policy (no principal, group, rule, "
                                        + "governance section or onboarding step): a misspelling? It scopes only people the registry gives it"))
            }
        }
        var reported: Set<String> = []
        let unusedScoped = roles.map(\.role).filter { !used.contains($0) }
        for (role, location, by) in rolesNamedOutsidePrincipals where !scoped.contains(role) && reported.insert(role).inserted {
            // The same misspelling, seen from the scoped side above.
            if NodeReader.closest(role, in: unusedScoped) != nil { continue }
            let hint = NodeReader.closest(role, in: scoped.sorted()).map { " (did you mean '\($0)'?)" } ?? ""
            out.append(.warning(.unscopedRole, at: location,
                                "role '\(role)' of \(by) is not in the roles section\(hint): it acts in every environment "
                                    + "(name it there with the environments it acts in to say so)"))
        }
        return out.sorted { $0.location < $1.location }
    }
}
