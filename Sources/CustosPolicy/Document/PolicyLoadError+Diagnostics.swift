import CustosCore

extension CustosError where Code == PolicyLoadErrorCode {
    /// The error for a document with these findings; its reason lists them, one a line.
    public init(_ diagnostics: [PolicyDiagnostic]) {
        let context = PolicyDiagnostics(diagnostics)
        self.init(.invalidDocument, context.diagnostics.map(\.description).joined(separator: "\n"), context: context)
    }

    /// Whether an error with this code was found.
    public func contains(_ code: PolicyDiagnostic.Code) -> Bool {
        context.diagnostics.contains { $0.code == code && $0.severity == .error }
    }
}
