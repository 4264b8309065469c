import CustosCore

extension ContractDeployment {
    /// The members a deployment request body carries besides the common ones.
    static let jsonMembers: Set<String> = ["init_code", "arguments", "runtime_code_hash", "expected_state"]

    /// Reads a deployment from the members of a `deploy` request body: `init_code` (hex, not
    /// empty), `arguments` (hex, may be absent or empty), `runtime_code_hash` (32 bytes of hex)
    /// and `expected_state`, a list of at most `maximumExpectedCalls` objects
    /// `{"function": "owner()", "arguments": "0x…", "returns": "0x…"}` (`arguments` optional).
    /// Refuses, naming the member: hex that is not hex (odd digits included), init code and
    /// arguments together beyond `maximumInitCodeBytes` (EIP-3860), a hash of another length,
    /// a call whose function is not a signature `name(types)`, whose arguments or answer are
    /// beyond their bounds, or a call listed twice.
    init(members: [String: JSONValue]) throws(GovernanceError) {
        let limit = Self.maximumInitCodeBytes
        let initCode = try Self.hex(members["init_code"], "init_code", limit: limit)
        guard !initCode.isEmpty else { throw TransactionRequest.invalid("init_code is empty") }
        let arguments = try Self.hex(members["arguments"] ?? .string("0x"), "arguments", limit: limit)
        guard initCode.count + arguments.count <= limit else {
            throw TransactionRequest.invalid("init_code and arguments are \(initCode.count + arguments.count) bytes; EIP-3860 allows at most \(limit)")
        }
        let hash = try Self.hex(members["runtime_code_hash"], "runtime_code_hash", limit: 32)
        guard hash.count == 32 else { throw TransactionRequest.invalid("runtime_code_hash is \(hash.count) bytes, not 32 (a Keccak-256)") }
        guard case .array(let calls)? = members["expected_state"] else {
            throw TransactionRequest.invalid("expected_state must be a list of view calls, not \(members["expected_state"]?.typeName ?? "missing")")
        }
        guard calls.count <= Self.maximumExpectedCalls else {
            throw TransactionRequest.invalid("expected_state lists \(calls.count) calls; at most \(Self.maximumExpectedCalls)")
        }
        var expected: [ExpectedViewCall] = []
        for (i, call) in calls.enumerated() {
            let at = "expected_state[\(i)]"
            let fields = try call.members(at, allowed: ["function", "arguments", "returns"], required: ["function", "returns"],
                                          invalid: TransactionRequest.invalid)
            guard case .string(let function)? = fields["function"] else { throw TransactionRequest.invalid("\(at).function is not a string") }
            guard Self.isSignature(function) else {
                throw TransactionRequest.invalid("\(at).function \"\(function.printable(limit: 64))\" is not a function signature such as \"owner()\"")
            }
            let view = ExpectedViewCall(
                function: function,
                arguments: try Self.hex(fields["arguments"] ?? .string("0x"), "\(at).arguments", limit: ExpectedViewCall.maximumArgumentBytes),
                result: try Self.hex(fields["returns"], "\(at).returns", limit: ExpectedViewCall.maximumResultBytes))
            guard !expected.contains(where: { $0.calldata == view.calldata }) else {
                throw TransactionRequest.invalid("\(at) repeats the call \(function) with the same arguments")
            }
            expected.append(view)
        }
        self.init(initCode: initCode, arguments: arguments, runtimeCodeHash: hash, expectedState: expected)
    }

    /// The bytes of a hex string member of at most `limit` bytes.
    private static func hex(_ value: JSONValue?, _ key: String, limit: Int) throws(GovernanceError) -> [UInt8] {
        guard let value else { throw TransactionRequest.invalid("\(key) is missing") }
        guard case .string(let text) = value else { throw TransactionRequest.invalid("\(key) is a \(value.typeName), not a hex string") }
        guard text.utf8.count <= 2 + 2 * limit else { throw TransactionRequest.invalid("\(key) is longer than \(limit) bytes") }
        do { return try [UInt8](hex: text) } catch { throw TransactionRequest.invalid("\(key) is not hex: \(error.reason)") }
    }

    /// `name(types)`: an identifier, then parentheses around type names, commas, brackets and
    /// digits, at most `ExpectedViewCall.maximumFunctionBytes` bytes.
    static func isSignature(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= ExpectedViewCall.maximumFunctionBytes, let open = bytes.firstIndex(of: UInt8(ascii: "(")),
              open > 0, bytes.last == UInt8(ascii: ")") else { return false }
        func word(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x5a).contains(b) || (0x61...0x7a).contains(b) || b == UInt8(ascii: "_") }
        guard !(0x30...0x39).contains(bytes[0]), bytes[..<open].allSatisfy(word) else { return false }
        return bytes[(open + 1)..<(bytes.count - 1)].allSatisfy { word($0) || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") }
    }
}
