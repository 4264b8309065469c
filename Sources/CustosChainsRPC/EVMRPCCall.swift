import CustosCore

/// The call an `EVMRPCError` is about: where, which method, what the node said and how often it
/// was tried. Empty (no endpoint, no method) only for an error raised before any call was made.
public struct EVMRPCCall: ErrorContext, Hashable {
    /// The endpoint, redacted to scheme://host:port/path.
    public var endpoint: String
    public var method: String
    /// The JSON-RPC error code when the error's code is `rpcError`.
    public var rpcCode: Int?
    /// The `data` of the JSON-RPC error object when it is hex: a reverted call's revert data.
    public var rpcData: [UInt8]?
    /// How many attempts were made before giving up.
    public var attempts: Int

    public init() { self.init(endpoint: "", method: "") }

    public init(endpoint: String, method: String, rpcCode: Int? = nil, rpcData: [UInt8]? = nil, attempts: Int = 1) {
        self.endpoint = endpoint
        self.method = method
        self.rpcCode = rpcCode
        self.rpcData = rpcData
        self.attempts = attempts
    }

    public func describe(_ summary: String) -> String {
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        return "\(method) at \(endpoint) failed\(tries): \(summary)"
    }
}
