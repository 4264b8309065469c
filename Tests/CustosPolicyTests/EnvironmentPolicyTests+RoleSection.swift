import CustosPolicy
import Foundation
import Testing

/// Review helper-107 M4: a misspelt role in the `roles` section leaves the role meant acting in
/// every environment. Judged against the document alone (`roleSectionFindings`), reported as
/// warnings by `policy check` (`PolicyValidation`) and never by a compile, which also runs with
/// the registries on every recompile (commit 1f5ac72), on every node (a hot path).
extension EnvironmentPolicyTests {
    static func findings(_ yaml: String) throws -> [PolicyDiagnostic] { try PolicyDocument.decode(yaml: yaml).roleSectionFindings() }

    @Test func aMisspeltRoleInTheRolesSectionNamesTheRoleMeant() throws {
        let typo = Self.yaml.replacingOccurrences(of: "roles:\n  desk: {environments: [staging]}\n", with: "roles:\n  dsek: {environments: [staging]}\n")
        #expect(typo != Self.yaml)
        let found = try Self.findings(typo)
        let misspelt = found.filter { $0.code == .misspeltRole }
        #expect(misspelt.count == 1, "\(found)")
        #expect(misspelt.first?.message.hasPrefix("role 'dsek' in the roles section is named nowhere else in the policy; did you mean 'desk'?") == true,
                "\(found)")
        // The same misspelling seen from the group's side is not reported twice.
        #expect(!found.contains { $0.message.contains("role 'desk' of group") }, "\(found)")
        // Compiling succeeds and does not even look (no recompile with the registries is ever
        // refused for it, nor pays for it); `policy check` reports it.
        let compiled = try CompiledPolicy(yaml: typo)
        #expect(!compiled.warnings.contains { $0.code == .misspeltRole })
        let checked = PolicyValidation(yaml: typo)
        #expect(checked.isValid && checked.diagnostics.contains { $0.code == .misspeltRole }, "\(checked.diagnostics)")
        #expect(try PolicyDocument.decode(yaml: typo).misspeltRoleRefusal?.contains("did you mean 'desk'?") == true)
        #expect(try PolicyDocument.decode(yaml: Self.yaml).misspeltRoleRefusal == nil)
    }

    /// Review of fin14 M1: a condition names a role only as a whole word, never as part of a
    /// longer name or field, so a typo is not silenced by a condition that merely contains it.
    @Test func aConditionNamesARoleOnlyAsAWholeWord() throws {
        let extra = Self.yaml.replacingOccurrences(of: "roles:\n  desk: {environments: [staging]}\n",
                                                   with: "roles:\n  desk: {environments: [staging]}\n  audit: {environments: [production]}\n")
        for condition in ["request.memo.startsWith('auditor')", "'audit-team' in request.initiator_roles", "request.audit_id == 'x'",
                          "request.memo.audit == 'x'"] {
            let yaml = extra.replacingOccurrences(of: "match: {kind: [transfer]}\n    outcome: allow",
                                                  with: "match: {kind: [transfer]}\n    when: \"\(condition)\"\n    outcome: allow")
            #expect(yaml != extra)
            #expect(try Self.findings(yaml).contains { $0.code == .unusedRole && $0.message.contains("'audit'") }, "\(condition)")
        }
        for condition in ["'audit' in request.initiator_roles", "\\\"audit\\\" in request.initiator_roles", "request.initiator_roles.exists(r, r == 'audit')"] {
            let yaml = extra.replacingOccurrences(of: "match: {kind: [transfer]}\n    outcome: allow",
                                                  with: "match: {kind: [transfer]}\n    when: \"\(condition)\"\n    outcome: allow")
            #expect(!(try Self.findings(yaml)).contains { $0.message.contains("'audit'") }, "\(condition)")
        }
    }

    /// Review of fin14 M1: a group role close to a scoped typo is left unreported only when the
    /// misspelt finding names it; another role close to the same typo is reported unscoped.
    @Test func onlyTheRoleTheMisspeltFindingNamesIsNotReportedAgain() throws {
        // 'dsek' is one edit from 'dsk' (named as meant) and two from 'desk' (not named).
        let yaml = Self.yaml.replacingOccurrences(of: "roles:\n  desk: {environments: [staging]}\n", with: "roles:\n  dsek: {environments: [staging]}\n")
            .replacingOccurrences(of: "  admins: {roles: [admin]}\n", with: "  admins: {roles: [admin]}\n  night: {roles: [dsk]}\n")
        let found = try Self.findings(yaml)
        #expect(found.contains { $0.code == .misspeltRole && $0.message.contains("did you mean 'dsk'?") }, "\(found)")
        #expect(found.contains { $0.code == .unscopedRole && $0.message.hasPrefix("role 'desk' of group 'desks' is not in the roles section") },
                "\(found)")
        #expect(!found.contains { $0.code == .unscopedRole && $0.message.hasPrefix("role 'dsk'") }, "\(found)")
    }

    @Test func aRoleTheGroupsUseThatTheSectionOmitsIsReported() throws {
        // admin (groups, governance) acts everywhere: reported once, as unscoped, with no guess.
        let found = try Self.findings(Self.yaml)
        #expect(found.map(\.code) == [.unscopedRole], "\(found)")
        #expect(found.first?.message.hasPrefix("role 'admin' of group 'admins' is not in the roles section: it acts in every environment") == true,
                "\(found)")
        // A group role one edit from a scoped role that is in use is reported with the guess, unscoped.
        let group = Self.yaml.replacingOccurrences(of: "desks: {roles: [desk]}", with: "desks: {roles: [dsk]}")
        let guessed = try Self.findings(group)
        #expect(guessed.contains { $0.code == .unscopedRole && $0.message.hasPrefix("role 'dsk' of group 'desks' is not in the roles section (did you mean 'desk'?)") },
                "\(guessed)")
    }

    @Test func aScopedRoleNothingNamesIsUnusedNotMisspelt() throws {
        let extra = Self.yaml.replacingOccurrences(of: "roles:\n  desk: {environments: [staging]}\n",
                                                   with: "roles:\n  desk: {environments: [staging]}\n  auditor: {environments: [production]}\n")
        let found = try Self.findings(extra)
        #expect(found.contains { $0.code == .unusedRole && $0.message.hasPrefix("role 'auditor' in the roles section is named nowhere else") }, "\(found)")
        #expect(!found.contains { $0.code == .misspeltRole }, "\(found)")
        // A role a rule's condition names is in use.
        let condition = extra.replacingOccurrences(of: "match: {kind: [transfer]}\n    outcome: allow",
                                                   with: "match: {kind: [transfer]}\n    when: \"'auditor' in request.initiator_roles\"\n    outcome: allow")
        #expect(condition != extra)
        #expect(!(try Self.findings(condition)).contains { $0.message.contains("'auditor'") })
        // No roles section, no findings.
        let none = Self.yaml.replacingOccurrences(of: "roles:\n  desk: {environments: [staging]}\n", with: "")
        #expect(try Self.findings(none).isEmpty)
    }
}
