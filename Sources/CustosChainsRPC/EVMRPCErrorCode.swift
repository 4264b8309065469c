import CustosCore

/// The stable codes of `EVMRPCError`.
public enum EVMRPCErrorCode: String, ErrorCode {
    public typealias Context = EVMRPCCall

    /// The connection failed or broke.
    case transport
    /// No answer within the per-request deadline.
    case timeout
    /// The endpoint answered with a non-2xx HTTP status.
    case httpStatus
    /// The node answered with a JSON-RPC error object (`rpcCode` holds its code).
    case rpcError
    /// The answer was not the JSON-RPC response expected, or its result did not parse.
    case invalidResponse
    /// The endpoint URL is not usable.
    case invalidEndpoint
}
