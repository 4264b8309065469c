import CustosChains

/// One view call a deployment request expects the new contract to answer, and the exact
/// answer: `owner()` returning the owner's address as a 32-byte word, `hasRole(bytes32,address)`
/// with its arguments returning true. The calldata is the function's selector and `arguments`
/// (ABI-encoded, as the request gives them); the answer is compared byte for byte.
public struct ExpectedViewCall: Sendable, Hashable, Codable {
    /// The function's canonical signature, e.g. `owner()`.
    public let function: String
    /// ABI-encoded arguments after the selector (empty for none).
    public let arguments: [UInt8]
    /// The exact return data.
    public let result: [UInt8]

    /// Bounds on one call: its signature, its arguments and its expected answer.
    public static let maximumFunctionBytes = 128
    public static let maximumArgumentBytes = 1024
    public static let maximumResultBytes = 1024

    public init(function: String, arguments: [UInt8] = [], result: [UInt8]) {
        self.function = function
        self.arguments = arguments
        self.result = result
    }

    /// What `eth_call` sends: the function's 4-byte selector, then the arguments.
    public var calldata: [UInt8] { EVM.ABI.selector(function) + arguments }
}
