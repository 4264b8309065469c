import CustosCore

/// Why a cryptographic input or operation was refused. Equality is on `code` only, so tests
/// match codes; `reason` is for people and never contains secret material.
public typealias CryptoError = CustosError<CryptoErrorCode>
