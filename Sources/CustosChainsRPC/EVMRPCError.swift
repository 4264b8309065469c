import CustosCore

/// Why a JSON-RPC call failed. Every error names the endpoint (scheme, host, port and path,
/// never credentials in the URL's user-info or query) and the method, and says why: a
/// transport failure, a timeout, an HTTP status, a JSON-RPC error object, or a result that
/// does not parse. Equality is on `code` only, so tests match codes.
public typealias EVMRPCError = CustosError<EVMRPCErrorCode>
