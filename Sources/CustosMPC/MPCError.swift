import CustosCore

/// Why a protocol step was refused. Errors that can be pinned on other participants say who
/// (`culprits`), so that a session can be aborted and the offender named.
public typealias MPCError = CustosError<MPCErrorCode>
