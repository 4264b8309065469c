import CustosChains
import CustosCore
import CustosCrypto

/// What a deployment request says will be created, and what the creation must then hold on
/// the chain: the exact init code of a reviewed build, its ABI-encoded constructor arguments,
/// the Keccak-256 of the runtime code that build deploys, and the view calls (`owner()`, roles)
/// whose answers make the intended initial state. The creation transaction's data is
/// `initCode ‖ arguments`; the contract's address follows from the sender and the nonce
/// (`EVM.Address.created(by:nonce:)`).
public struct ContractDeployment: Sendable, Hashable, Codable {
    public let initCode: [UInt8]
    public let arguments: [UInt8]
    /// Keccak-256 of the runtime code the reviewed build deploys (32 bytes).
    public let runtimeCodeHash: [UInt8]
    public let expectedState: [ExpectedViewCall]

    /// EIP-3860: the most init code a creation transaction may carry (2 × the 24,576-byte
    /// contract size limit of EIP-170), counted over `initCode ‖ arguments` as the chain counts it.
    public static let maximumInitCodeBytes = 49_152
    /// The expected initial state is a short list: owner, a few roles.
    public static let maximumExpectedCalls = 8

    public init(initCode: [UInt8], arguments: [UInt8], runtimeCodeHash: [UInt8], expectedState: [ExpectedViewCall]) {
        self.initCode = initCode
        self.arguments = arguments
        self.runtimeCodeHash = runtimeCodeHash
        self.expectedState = expectedState
    }

    /// The data of the creation transaction: the init code, then the constructor's arguments.
    public var creationData: [UInt8] { initCode + arguments }

    /// What the policy's `call.arguments` of the deployment (`contract.create`) holds, so that a
    /// rule can pin the whole reviewed build, not only its runtime code (review helper-126 M1):
    /// `runtime_code_hash` and `init_code_hash` (Keccak-256, 0x and 64 lowercase hex digits),
    /// `arguments` (the ABI-encoded constructor arguments, 0x hex) and `expected_state` (the
    /// expected view calls in order, joined by `;`, each `FUNCTION=0xRETURNS` or
    /// `FUNCTION@0xARGUMENTS=0xRETURNS`, as `custos request deploy --expect` takes them; empty
    /// for none).
    public var policyArguments: [String: String] {
        let expected = expectedState.map { call in
            call.function + (call.arguments.isEmpty ? "" : "@0x" + call.arguments.hexString) + "=0x" + call.result.hexString
        }
        return ["runtime_code_hash": "0x" + runtimeCodeHash.hexString, "init_code_hash": "0x" + Keccak256.hash(initCode).hexString,
                "arguments": "0x" + arguments.hexString, "expected_state": expected.joined(separator: ";")]
    }
}
