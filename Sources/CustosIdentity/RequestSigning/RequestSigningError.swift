import CustosCore

/// Why a bot's signed request was refused. Equality is on `code` only; `reason` is for people.
public typealias RequestSigningError = CustosError<RequestSigningErrorCode>
