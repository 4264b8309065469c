import CustosCore
import CustosCrypto

/// Why a JSON-RPC call failed. Every error names the endpoint (scheme, host, port and path,
/// never credentials in the URL's user-info or query) and the method, and says why: a
/// transport failure, a timeout, an HTTP status, a JSON-RPC error object, or a result that
/// does not parse. Equality is on `code` only, so tests match codes.
public struct EVMRPCError: CodedError {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case transport, timeout, httpStatus, rpcError, invalidResponse, invalidEndpoint
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection failed or broke.
        public static let transport = Code(.transport)
        /// No answer within the per-request deadline.
        public static let timeout = Code(.timeout)
        /// The endpoint answered with a non-2xx HTTP status.
        public static let httpStatus = Code(.httpStatus)
        /// The node answered with a JSON-RPC error object (`rpcCode` holds its code).
        public static let rpcError = Code(.rpcError)
        /// The answer was not the JSON-RPC response expected, or its result did not parse.
        public static let invalidResponse = Code(.invalidResponse)
        /// The endpoint URL is not usable.
        public static let invalidEndpoint = Code(.invalidEndpoint)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// The endpoint, redacted to scheme://host:port/path.
    public let endpoint: String
    public let method: String
    public let reason: String
    /// The JSON-RPC error code when `code == .rpcError`.
    public let rpcCode: Int?
    /// How many attempts were made before giving up.
    public let attempts: Int

    public init(_ code: Code, endpoint: String, method: String, reason: String, rpcCode: Int? = nil, attempts: Int = 1) {
        self.code = code
        self.endpoint = endpoint
        self.method = method
        self.reason = reason
        self.rpcCode = rpcCode
        self.attempts = attempts
    }

    public var description: String {
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        return "\(method) at \(endpoint) failed\(tries): \(code): \(reason)"
    }
}
