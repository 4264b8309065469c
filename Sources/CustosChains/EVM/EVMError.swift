import CustosCore

/// Why EVM input was refused: malformed RLP, a bad address, a transaction that does not
/// decode, ABI data that does not match its types, typed data that is inconsistent.
/// Equality is on `code` only, so tests match codes; `reason` is for people and never
/// contains secret material.
public typealias EVMError = CustosError<EVMErrorCode>
