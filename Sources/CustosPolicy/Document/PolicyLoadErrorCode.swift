import CustosCore

/// The stable codes of `PolicyLoadError`; the diagnostics say what exactly is wrong.
public enum PolicyLoadErrorCode: String, ErrorCode {
    public typealias Context = PolicyDiagnostics

    /// The document has at least one error.
    case invalidDocument
}
