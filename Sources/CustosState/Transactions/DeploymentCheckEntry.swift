import CustosCore
import CustosCrypto
import CustosLedger

/// The log entry by which a voting member says what its own chain endpoint holds at a
/// deployment's address, at the block of its confirmed receipt: kind `request.deployment-check`,
/// payload the request id, that block's number, the Keccak-256 of the full code `eth_getCode`
/// returned, and for each expected view call of the request, in its order, the Keccak-256 of
/// what `eth_call` returned, or nothing when the call failed; signed with the node's identity
/// key (`MemberSignature`). Every node checks the signature and compares the readings with the
/// request in its state transition (`ReplicatedState.acceptDeploymentCheck`).
public struct DeploymentCheckEntry: MemberSignedEntry, Sendable, Hashable {
    public static let kind = "request.deployment-check"
    static let payloadTag = "custos.request.deployment-check.v1"
    /// Payload (an id, a block number, a hash and at most 8 more, about 450 bytes) and
    /// authorization (a member name and a signature, about 150 bytes).
    public static let maximumBytes = 1024

    public let requestId: String
    public let blockNumber: UInt64
    /// Keccak-256 of the code read at the contract's address.
    public let codeHash: [UInt8]
    /// Keccak-256 of each expected call's answer, in the request's order; nil where the call failed.
    public let results: [[UInt8]?]

    public init(requestId: String, blockNumber: UInt64, codeHash: [UInt8], results: [[UInt8]?]) {
        self.requestId = requestId
        self.blockNumber = blockNumber
        self.codeHash = codeHash
        self.results = results
    }

    /// The check of a node that read `code` and the answers `answers` (nil: the call failed).
    public init(requestId: String, blockNumber: UInt64, code: [UInt8], answers: [[UInt8]?]) {
        self.init(requestId: requestId, blockNumber: blockNumber, codeHash: Keccak256.hash(code), results: answers.map { $0.map(Keccak256.hash) })
    }

    package var payload: [UInt8] {
        var w = CanonicalWriter(tag: Self.payloadTag)
        w.append(string: requestId)
        w.append(blockNumber)
        w.append(lengthPrefixed: codeHash)
        w.append(UInt32(results.count))
        for result in results {
            w.append(result != nil)
            w.append(lengthPrefixed: result ?? [])
        }
        return w.bytes
    }

    /// Decodes an entry's payload strictly; `malformed` for anything but this kind with a request
    /// id of 64 lowercase hex digits, a 32-byte code hash, and at most
    /// `ContractDeployment.maximumExpectedCalls` results, each 32 bytes where the call answered
    /// and none where it failed.
    public init(_ entry: Entry) throws(GovernanceError) {
        guard entry.kind == Self.kind else { throw GovernanceError(.malformed, "\"\(entry.kind.printable(limit: 64))\" is not \(Self.kind)") }
        var r = try GovernanceReader(entry.payload, tag: Self.payloadTag, what: "\(Self.kind) payload")
        let id = try r.string("request id", max: 64)
        let block = try r.uint64("block number")
        let code = try r.bytes("code hash", max: 32)
        let count = try r.uint32("result count")
        guard count <= ContractDeployment.maximumExpectedCalls else {
            throw GovernanceError(.malformed, "a deployment check carries at most \(ContractDeployment.maximumExpectedCalls) results, not \(count)")
        }
        var results: [[UInt8]?] = []
        for _ in 0..<count {
            let answered = try r.bool("answered")
            let hash = try r.bytes("answer hash", max: 32)
            guard hash.count == (answered ? 32 : 0) else {
                throw GovernanceError(.malformed, answered ? "an answer hash has 32 bytes, not \(hash.count)" : "a failed call carries no answer hash")
            }
            results.append(answered ? hash : nil)
        }
        try r.finish()
        guard RequestDecisionEntry.isValidId(id) else { throw GovernanceError(.malformed, "a request id is 64 lowercase hex digits") }
        guard code.count == 32 else { throw GovernanceError(.malformed, "a code hash has 32 bytes, not \(code.count)") }
        self.init(requestId: id, blockNumber: block, codeHash: code, results: results)
    }
}
