import CustosCore

/// What a `PolicyLoadError` found: every diagnostic, sorted by position.
public struct PolicyDiagnostics: ErrorContext {
    public let diagnostics: [PolicyDiagnostic]

    public init() { diagnostics = [] }

    public init(_ diagnostics: [PolicyDiagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.location < $1.location }
    }

    /// The diagnostics of severity error.
    public var errors: [PolicyDiagnostic] { diagnostics.filter { $0.severity == .error } }
}
