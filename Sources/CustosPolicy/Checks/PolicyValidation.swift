import CustosCore

/// Everything `custos policy check` reports about a document: shape errors, reference and
/// type errors, lockout errors and warnings, the `roles` section's findings among them. The document is acceptable exactly when no
/// diagnostic is an error; `policy` is then the compiled policy.
public struct PolicyValidation: Sendable {
    public let policy: CompiledPolicy?
    public let diagnostics: [PolicyDiagnostic]

    public var isValid: Bool { policy != nil && !diagnostics.contains { $0.severity == .error } }

    public init(yaml text: String) {
        do {
            let policy = try CompiledPolicy(yaml: text)
            self.policy = policy
            // The roles section's findings are checked here and at change-policy, never on
            // every compile (a registry change recompiles the policy in force on every node).
            diagnostics = (policy.warnings + policy.document.roleSectionFindings()).sorted { $0.location < $1.location }
        } catch {
            policy = nil
            diagnostics = error.diagnostics
        }
    }
}
