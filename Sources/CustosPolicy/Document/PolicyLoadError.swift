import CustosCore

/// Thrown when a document (a policy, a request, a state snapshot) cannot be accepted: its context
/// holds every error found (sorted by position) plus the warnings gathered on the way. Never
/// thrown for a merely surprising policy; that is a warning.
public typealias PolicyLoadError = CustosError<PolicyLoadErrorCode>
