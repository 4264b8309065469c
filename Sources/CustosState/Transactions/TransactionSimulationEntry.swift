import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger

/// The log entry by which an executor bot records the simulation of a planned transaction:
/// kind `request.simulation`, payload the simulation and the bot's id (canonical encoding),
/// authorization the bot's signature with its registered key over `signingInput(payload:)`.
/// Only a bot with the `executor` role records one; every node verifies the signature and
/// checks the simulation against the plan in its state transition
/// (`ReplicatedState.acceptSimulation`).
public struct TransactionSimulationEntry: Sendable, Hashable {
    public static let kind = "request.simulation"
    static let payloadTag = "custos.request.simulation.v2"
    /// Payload and authorization together: an id, the block, the outcome, the revert data, the
    /// intent digest and time, a bot's name and a signature.
    public static let maximumBytes = 1024

    public let simulation: TransactionSimulation
    public let executor: String
    public let signature: [UInt8]

    public init(_ simulation: TransactionSimulation, executor: String, signature: [UInt8]) {
        self.simulation = simulation
        self.executor = executor
        self.signature = signature
    }

    /// The simulation made by `executor` for the cluster whose genesis digest is `genesisDigest`, signed with its key.
    public init(_ simulation: TransactionSimulation, executor: String, key: BotSigningKey, genesisDigest: [UInt8]) {
        let payload = Self.payload(simulation, executor: executor)
        self.init(simulation, executor: executor,
                  signature: key.signature(for: Self.signingInput(payload: payload, genesisDigest: genesisDigest)))
    }

    /// What the executor's key signs: the cluster's genesis digest and the payload under their
    /// own domain tag, so that no signature made for anything else counts as one over a simulation.
    public static func signingInput(payload: [UInt8], genesisDigest: [UInt8]) -> [UInt8] {
        Hashes.tagged("custos/request/simulation", genesisDigest, payload)
    }

    static func payload(_ s: TransactionSimulation, executor: String) -> [UInt8] {
        var w = CanonicalWriter(tag: payloadTag)
        w.append(string: s.requestId)
        w.append(s.chainId)
        w.append(s.blockNumber)
        w.append(lengthPrefixed: s.blockHash)
        w.append(string: s.outcome.rawValue)
        w.append(s.gasUsed)
        w.append(lengthPrefixed: s.revertData)
        w.append(lengthPrefixed: s.intentDigest)
        w.append(s.simulatedAt)
        w.append(string: executor)
        return w.bytes
    }

    /// The log entry.
    public func entry() throws(LedgerError) -> Entry {
        try Entry(kind: Self.kind, payload: Self.payload(simulation, executor: executor), authorization: signature)
    }

    /// Decodes an entry strictly; `malformed` for anything but this kind with a request id of
    /// 64 lowercase hex digits, a 32-byte block hash and intent digest, an outcome `success` or `reverted`, no
    /// revert data for a success and at most `TransactionSimulation.maximumRevertData` bytes of
    /// it for a revert.
    public init(_ entry: Entry) throws(GovernanceError) {
        guard entry.kind == Self.kind else { throw GovernanceError(.malformed, "\"\(entry.kind.printable(limit: 64))\" is not \(Self.kind)") }
        var r = try GovernanceReader(entry.payload, tag: Self.payloadTag, what: "\(Self.kind) payload")
        let id = try r.string("request id", max: 64)
        let chainId = try r.uint64("chain id")
        let block = try r.uint64("block number")
        let hash = try r.bytes("block hash", max: 32)
        let outcome = try r.string("outcome", max: 16)
        let gasUsed = try r.uint64("gas used")
        let revertData = try r.bytes("revert data", max: TransactionSimulation.maximumRevertData)
        let intent = try r.bytes("intent digest", max: 32)
        let simulatedAt = try r.uint64("simulation time")
        let executor = try r.string("executor", max: 128)
        try r.finish()
        guard RequestDecisionEntry.isValidId(id) else { throw GovernanceError(.malformed, "a request id is 64 lowercase hex digits") }
        guard hash.count == 32 else { throw GovernanceError(.malformed, "a block hash has 32 bytes, not \(hash.count)") }
        guard intent.count == 32 else { throw GovernanceError(.malformed, "an intent digest has 32 bytes, not \(intent.count)") }
        guard let parsed = TransactionSimulation.Outcome(rawValue: outcome) else {
            throw GovernanceError(.malformed, "a simulation's outcome is success or reverted, not \"\(outcome.printable(limit: 16))\"")
        }
        guard parsed == .reverted || revertData.isEmpty else { throw GovernanceError(.malformed, "a successful simulation carries no revert data") }
        self.init(TransactionSimulation(requestId: id, chainId: chainId, blockNumber: block, blockHash: hash, outcome: parsed, gasUsed: gasUsed,
                                        revertData: revertData, intentDigest: intent, simulatedAt: simulatedAt),
                  executor: executor, signature: entry.authorization)
    }

    /// The executor bot, read from the entry alone (its row of `ReplicatedState.entryKinds`).
    static func signer(of entry: Entry) throws(GovernanceError) -> EntrySigner {
        let decoded = try TransactionSimulationEntry(entry)
        guard !decoded.signature.isEmpty else {
            throw GovernanceError(.unsigned, "a \(kind) entry is authorized by the executor bot's signature; this one carries none")
        }
        return EntrySigner(role: .bot, id: decoded.executor)
    }
}
