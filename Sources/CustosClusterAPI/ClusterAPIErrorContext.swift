import CustosCore

/// The JSON member a `ClusterAPIError` of code `unknownField` names.
public struct ClusterAPIErrorContext: ErrorContext, Hashable {
    public var field: String?

    public init() { field = nil }

    public init(field: String) { self.field = field }
}
