import CustosCore

/// Why a ledger input was refused: a malformed encoding, a configuration that cannot form a
/// cluster, or a vote or certificate that does not verify. Equality is on `code` only, so tests
/// match codes; `culprit` names the member to blame when one can be blamed.
public typealias LedgerError = CustosError<LedgerErrorCode>
