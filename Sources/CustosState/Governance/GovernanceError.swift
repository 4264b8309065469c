import CustosCore

/// Why a genesis document or a governance log entry was refused. A refused entry changes nothing
/// in the governed state; its error is what every node records (`ReplicatedState.refusals`), so
/// the `code` is stable and the `reason` deterministic (it never mentions a clock or a node).
/// Equality is on `code` only, so tests match codes.
public typealias GovernanceError = CustosError<GovernanceErrorCode>
