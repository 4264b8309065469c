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
    /// A `change-policy` is refused on a `misspelt-role` finding (`misspeltRoleRefusal`); `custos
    /// policy check` reports them all. Never part of a compile: a registry change recompiles the
    /// policy in force on every node, and these findings read the document alone.
    public func roleSectionFindings() -> [PolicyDiagnostic] {
        guard !roles.isEmpty else { return [] }
        let used = rolesUsed
        let scoped = Set(roles.map(\.role))
        let conditions = rules.compactMap(\.when?.value)
        var out: [PolicyDiagnostic] = []
        // The roles a misspelt finding names as the one meant: their unscoped finding would say it again.
        var meantRoles: Set<String> = []
        let candidates = used.subtracting(scoped).sorted()
        for scope in roles where !used.contains(scope.role) && !conditions.contains(where: { Self.mentions($0, role: scope.role) }) {
            if let meant = NodeReader.closest(scope.role, in: candidates) {
                meantRoles.insert(meant)
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
        for (role, location, by) in rolesNamedOutsidePrincipals where !scoped.contains(role) && reported.insert(role).inserted {
            // The same misspelling, seen from the scoped side above: only a role that finding
            // names (another role close to the same typo is still reported).
            if meantRoles.contains(role) { continue }
            let hint = NodeReader.closest(role, in: scoped.sorted()).map { " (did you mean '\($0)'?)" } ?? ""
            out.append(.warning(.unscopedRole, at: location,
                                "role '\(role)' of \(by) is not in the roles section\(hint): it acts in every environment "
                                    + "(name it there with the environments it acts in to say so)"))
        }
        return out.sorted { $0.location < $1.location }
    }

    /// Whether `condition` names `role`: as a whole word, a character that may belong to a role
    /// name ([A-Za-z0-9_.-]) on neither side — as in a quoted literal `'desk' in
    /// request.initiator_roles` — never as part of a longer name or field (`desk` is not named by
    /// `request.desk_id` nor by `'fx-desk'`).
    static func mentions(_ condition: String, role: String) -> Bool {
        let text = Array(condition.utf8), name = Array(role.utf8)
        guard !name.isEmpty, name.count <= text.count else { return false }
        func partOfName(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2E || c == 0x2D
        }
        for start in 0...(text.count - name.count) where text[start..<(start + name.count)].elementsEqual(name) {
            let before = start == 0 ? nil : text[start - 1]
            let after = start + name.count == text.count ? nil : text[start + name.count]
            if !(before.map(partOfName) ?? false) && !(after.map(partOfName) ?? false) { return true }
        }
        return false
    }

    /// Why a `change-policy` carrying this document is refused for its `roles` section (the first
    /// `misspelt-role` finding, with its line), or nil: what every node checks at proposal and
    /// execution, and `custos op propose change-policy` before it sends anything.
    public var misspeltRoleRefusal: String? {
        roleSectionFindings().first { $0.code == .misspeltRole }.map { "policy line \($0.location.line): \($0.message)" }
    }
}
