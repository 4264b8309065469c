import ArgumentParser
import BigInt
import CustosChains
import CustosChainsRPC
import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Foundation

extension RequestCommand {
    struct Parameters: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose the transaction parameters of an allowed transfer or call, as an executor bot.",
            discussion: """
                The nonce is the one the committed state says: the sender's lowest free nonce, else its next nonce; for a \
                transaction whose outcome is unknown or a signed one not yet mined (a replacement, a fee bump), the nonce \
                reserved to it, with fees at least 12.5 % above the replaced ones. Gas and fees are read from --rpc unless given. Every node checks them (nonce, chain id, gas bounds, \
                the policy's fee_limits and fee rules) before the vault signs.
                """)
        @OptionGroup var connection: OperationCommand.Connection
        @Option(help: "The executor bot's key file (a bot with the executor role).") var executor: String
        @Option(help: "The chain's JSON-RPC endpoint, for gas and fees.") var rpc: String?
        @Option(help: "The nonce (default: the one the committed state says the transaction takes).") var nonce: UInt64?
        @Option(help: "The gas limit (default: 21000 for a plain transfer, else the endpoint's estimate plus 20 %).") var gasLimit: UInt64?
        @Option(help: "Max fee per gas, in wei (default: the endpoint's suggestion).") var maxFeePerGas: String?
        @Option(help: "Max priority fee per gas, in wei (default: the endpoint's suggestion).") var maxPriorityFeePerGas: String?
        @Argument(help: "The request id (or a nonce cancellation's id).") var id: String

        func run() async throws {
            let call = GatewayCall(connection.gateway)
            let t: TransactionView
            let state: GovernanceSnapshot = try await call.get("/v1/state")
            if let cancellation = state.cancellations?.first(where: { $0.id == id }) {
                t = cancellation.transaction
            } else {
                let request: RequestView = try await call.get("/v1/requests/\(percentEncoded(id))")
                _ = request.checkedBody(asked: id)
                guard let transaction = request.transaction else { fail("request \(printable(id)) is not a transfer or contract call") }
                t = transaction
            }
            let overrides = ParameterOverrides(nonce: nonce, gasLimit: gasLimit, maxFeePerGas: try wei(maxFeePerGas, "--max-fee-per-gas"),
                                               maxPriorityFeePerGas: try wei(maxPriorityFeePerGas, "--max-priority-fee-per-gas"))
            let client = try rpc.map { url throws -> EVMRPCClient in
                guard let endpoint = URL(string: url) else { throw ValidationError("--rpc is not a URL") }
                return try EVMRPCClient(endpoint: endpoint)
            }
            let parameters = try await proposedParameters(requestId: id, t, rpc: client, overrides)
            let key = BotKeyFile.load(executor)
            let (_, genesis) = try await connection.cluster(call, pinned: key.file.cluster, in: executor)
            let entry = try TransactionParametersEntry(parameters, executor: key.file.bot, key: key.key, genesisDigest: genesis).entry()
            let receipt: EntryReceipt = try await call.post("/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload,
                                                                                          authorization: entry.authorization))
            receipt.check(signed: entry, what: "parameters")
            print("proposed nonce \(parameters.nonce), gas \(parameters.gasLimit), max fee \(parameters.maxFeePerGas) wei, priority fee \(parameters.maxPriorityFeePerGas) wei"
                  + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
        }

        private func wei(_ text: String?, _ option: String) throws -> BigUInt? {
            guard let text else { return nil }
            guard let value = BigUInt(text) else { throw ValidationError("\(option) is a whole number of wei") }
            return value
        }
    }
}

/// Parameters given on the command line instead of read from the state or the endpoint.
struct ParameterOverrides {
    var nonce: UInt64?
    var gasLimit: UInt64?
    var maxFeePerGas: BigUInt?
    var maxPriorityFeePerGas: BigUInt?
}

/// The parameters an executor proposes for the transaction `t` of request `requestId`: the
/// nonce the state says it takes (`stateNonce`), for a plain transfer 21,000 gas to an address
/// without code and its simulation's gas (`simulatedGas`, else the recorded one) plus 20 % to a
/// contract, the endpoint's estimate plus 20 % for a call, and the endpoint's suggested fees — each unless
/// overridden; a replacement's (of a transaction whose outcome is unknown, or a fee bump of a
/// signed one) fees are raised to 12.5 % above the replaced ones and its gas limit to theirs
/// where they are lower (every node refuses less).
/// Refuses an endpoint on another chain. With `fees` (the endpoint's suggestion, read once for
/// many transactions by a caller that checked the endpoint's chain) the endpoint is read only
/// for a call's gas estimate.
func proposedParameters(requestId: String, _ t: TransactionView, rpc: EVMRPCClient?, _ o: ParameterOverrides,
                        simulatedGas: UInt64? = nil, fees known: EVMFeeData? = nil) async throws -> TransactionParameters {
    func need<T>(_ value: T?, _ what: String) throws -> T {
        guard let value else { throw ValidationError("give \(what) or an --rpc endpoint to read it from") }
        return value
    }
    var fees: EVMFeeData? = known
    if known == nil, let rpc, o.maxFeePerGas == nil || o.maxPriorityFeePerGas == nil || (o.gasLimit == nil && t.data != "0x") {
        let chainId = try await rpc.chainID()
        guard chainId == t.chainId else { fail("the endpoint serves chain id \(chainId), not \(t.chain)'s \(t.chainId)") }
        fees = try await rpc.feeData()
    }
    var gasLimit = o.gasLimit
    // A plain transfer to an address without code takes exactly 21,000; to a contract, what its
    // recorded simulation used plus 20 % (every node requires at least plus 10 %).
    if gasLimit == nil, t.data == "0x" {
        let simulated = simulatedGas ?? t.simulation?.gasUsed ?? PlannedTransaction.nativeTransferGas
        gasLimit = simulated <= PlannedTransaction.nativeTransferGas ? PlannedTransaction.nativeTransferGas
            : TransactionParameters.gas(simulated, plusPercent: 20)
    }
    if gasLimit == nil, let rpc {
        let estimate = try await rpc.estimateGas(from: try EVM.Address(hex: t.from), to: try t.recipient(),
                                                 value: BigUInt(t.value) ?? 0, data: try [UInt8](hex: t.data))
        // Never below the recorded simulation's plus 20 %: every node refuses less than its plus 10 %.
        let simulated = (simulatedGas ?? t.simulation?.gasUsed).map { TransactionParameters.gas($0, plusPercent: 20) } ?? 0
        gasLimit = max(TransactionParameters.gas(estimate, plusPercent: 20), simulated)
    }
    let replaced = [PlannedTransaction.Status.outcomeUnknown.rawValue, PlannedTransaction.Status.signed.rawValue].contains(t.status) ? t.parameters : nil
    // A replacement bids what mempools accept at the same nonce: 12.5 % above the replaced fees.
    let floorTip = replaced.flatMap { BigUInt($0.maxPriorityFeePerGas) }.map(TransactionParameters.replacementFloor) ?? 0
    let floorFee = replaced.flatMap { BigUInt($0.maxFeePerGas) }.map(TransactionParameters.replacementFloor) ?? 0
    let tip = try max(need(o.maxPriorityFeePerGas ?? fees?.maxPriorityFeePerGas, "--max-priority-fee-per-gas"), floorTip)
    let fee = try max(need(o.maxFeePerGas ?? fees.map { max($0.maxFeePerGas, tip) }, "--max-fee-per-gas"), floorFee, tip)
    let gas = max(try need(gasLimit, "--gas-limit"), replaced?.gasLimit ?? 0)
    return TransactionParameters(requestId: requestId, chainId: t.chainId, nonce: o.nonce ?? stateNonce(t), gasLimit: gas,
                                 maxFeePerGas: fee, maxPriorityFeePerGas: tip)
}

/// The nonce the committed state says `t` takes: the one reserved to it when its outcome is
/// unknown or it is signed (a replacement) or it is a governed cancellation, else the sender's lowest free
/// nonce, else its next nonce.
func stateNonce(_ t: TransactionView) -> UInt64 {
    if [PlannedTransaction.Status.outcomeUnknown.rawValue, PlannedTransaction.Status.signed.rawValue].contains(t.status),
       let reserved = t.parameters?.nonce { return reserved }
    return t.reservedNonce ?? t.freeNonces.first ?? t.nextNonce
}
