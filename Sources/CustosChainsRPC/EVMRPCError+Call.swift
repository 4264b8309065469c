import CustosCore

extension CustosError where Code == EVMRPCErrorCode {
    /// An error of the call `method` at `endpoint` (already redacted).
    public init(_ code: Code, endpoint: String, method: String, reason: String, rpcCode: Int? = nil, rpcData: [UInt8]? = nil,
                attempts: Int = 1) {
        self.init(code, reason, context: EVMRPCCall(endpoint: endpoint, method: method, rpcCode: rpcCode, rpcData: rpcData, attempts: attempts))
    }
}
