/// Thrown when a document cannot be accepted: every error found (sorted by position), plus the
/// warnings gathered on the way. Never thrown for a merely surprising policy; that is a warning.
public struct PolicyLoadError: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [PolicyDiagnostic]

    public init(_ diagnostics: [PolicyDiagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.location < $1.location }
    }

    public var errors: [PolicyDiagnostic] { diagnostics.filter { $0.severity == .error } }

    /// Whether an error with this code was found.
    public func contains(_ code: PolicyDiagnostic.Code) -> Bool {
        diagnostics.contains { $0.code == code && $0.severity == .error }
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
