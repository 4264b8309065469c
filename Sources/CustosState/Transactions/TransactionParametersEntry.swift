import BigInt
import CustosChains
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger

/// The log entry by which an executor bot proposes the parameters of an approved transfer or
/// contract call: kind `request.parameters`, payload the parameters and the bot's id
/// (canonical encoding), authorization the bot's signature with its registered key over
/// `signingInput(payload:)`. A bot proposes parameters only if governance gave it the
/// `executor` role; every node verifies the signature and checks the parameters in its state
/// transition.
public struct TransactionParametersEntry: Sendable, Hashable {
    public static let kind = "request.parameters"
    /// The role a bot needs to propose parameters.
    public static let executorRole = "executor"
    static let payloadTag = "custos.request.parameters.v1"

    public let parameters: TransactionParameters
    public let executor: String
    public let signature: [UInt8]

    public init(_ parameters: TransactionParameters, executor: String, signature: [UInt8]) {
        self.parameters = parameters
        self.executor = executor
        self.signature = signature
    }

    /// The parameters proposed by `executor` for the cluster whose genesis digest is
    /// `genesisDigest`, signed with its key.
    public init(_ parameters: TransactionParameters, executor: String, key: BotSigningKey, genesisDigest: [UInt8]) {
        let payload = Self.payload(parameters, executor: executor)
        self.init(parameters, executor: executor,
                  signature: key.signature(for: Self.signingInput(payload: payload, genesisDigest: genesisDigest)))
    }

    /// What the executor's key signs: the cluster's genesis digest and the payload under their
    /// own domain tag, so a signature made for anything else (a request envelope, another
    /// cluster) never counts as one over parameters.
    public static func signingInput(payload: [UInt8], genesisDigest: [UInt8]) -> [UInt8] {
        Hashes.tagged("custos/request/parameters", genesisDigest, payload)
    }

    static func payload(_ p: TransactionParameters, executor: String) -> [UInt8] {
        var w = CanonicalWriter(tag: payloadTag)
        w.append(string: p.requestId)
        w.append(p.chainId)
        w.append(p.nonce)
        w.append(p.gasLimit)
        w.append(lengthPrefixed: p.maxFeePerGas.minimalBigEndianBytes)
        w.append(lengthPrefixed: p.maxPriorityFeePerGas.minimalBigEndianBytes)
        w.append(string: executor)
        return w.bytes
    }

    /// The log entry.
    public func entry() throws(LedgerError) -> Entry {
        try Entry(kind: Self.kind, payload: Self.payload(parameters, executor: executor), authorization: signature)
    }

    /// Decodes an entry strictly; `malformed` for anything but this kind with a request id of
    /// 64 lowercase hex digits, fees of at most 32 bytes in minimal encoding and an executor.
    public init(_ entry: Entry) throws(GovernanceError) {
        guard entry.kind == Self.kind else { throw GovernanceError(.malformed, "\"\(entry.kind.printable(limit: 64))\" is not \(Self.kind)") }
        var r = try GovernanceReader(entry.payload, tag: Self.payloadTag, what: "\(Self.kind) payload")
        let id = try r.string("request id", max: 64)
        let chainId = try r.uint64("chain id")
        let nonce = try r.uint64("nonce")
        let gasLimit = try r.uint64("gas limit")
        let maxFee = try r.bytes("max fee per gas", max: 32)
        let priorityFee = try r.bytes("max priority fee per gas", max: 32)
        let executor = try r.string("executor", max: 128)
        try r.finish()
        guard RequestDecisionEntry.isValidId(id) else { throw GovernanceError(.malformed, "a request id is 64 lowercase hex digits") }
        guard maxFee.first != 0, priorityFee.first != 0 else { throw GovernanceError(.malformed, "a fee is encoded without leading zeros") }
        self.init(
            TransactionParameters(requestId: id, chainId: chainId, nonce: nonce, gasLimit: gasLimit, maxFeePerGas: BigUInt(bigEndian: maxFee),
                                  maxPriorityFeePerGas: BigUInt(bigEndian: priorityFee)),
            executor: executor, signature: entry.authorization)
    }

    /// The executor bot, read from the entry alone (its row of `ReplicatedState.entryKinds`):
    /// it decodes strictly and carries a signature. Whether the signature verifies, and whether
    /// the bot is an active executor, is the state's question.
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        let decoded = try TransactionParametersEntry(entry)
        guard !decoded.signature.isEmpty else {
            throw GovernanceError(.unsigned, "a \(kind) entry is authorized by the executor bot's signature; this one carries none")
        }
        return EntrySigner(role: .bot, id: decoded.executor)
    }
}
