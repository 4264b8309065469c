import ArgumentParser
import CustosChainsRPC
import CustosClusterAPI
import CustosIdentity
import CustosLedger
import CustosState
import Foundation

/// `custos executor`: an executor bot. It watches the gateway for allowed transfers and calls
/// whose transactions await parameters, reads gas and fees from the chain's endpoint, and
/// proposes them signed with its key, giving the requests of one sender consecutive nonces from
/// the committed state's next one. It holds no vault key: every node checks what it proposes.
struct ExecutorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executor",
        abstract: "Propose transaction parameters for allowed transfers and calls, read from a chain endpoint (an executor bot).")

    @OptionGroup var connection: OperationCommand.Connection
    @Option(help: "The executor bot's key file (a bot with the executor role).") var executor: String
    @Option(help: "The chain's name; only its requests are served.") var chain: String
    @Option(help: "The chain's JSON-RPC endpoint.") var rpc: String
    @Option(help: "Milliseconds between looks at the gateway.") var interval: UInt64 = 200
    @Option(help: "Seconds after which a proposal that did not take is proposed again.") var retryAfter: UInt64 = 5

    func run() async throws {
        guard let endpoint = URL(string: rpc) else { throw ValidationError("--rpc is not a URL") }
        let client = try EVMRPCClient(endpoint: endpoint)
        let key = BotKeyFile.load(executor)
        let call = GatewayCall(connection.gateway)
        let (_, genesis) = try await connection.cluster(call, pinned: key.file.cluster, in: executor)
        var proposed: [String: (nonce: UInt64, at: ContinuousClock.Instant)] = [:]
        print("executor \(key.file.bot) serving \(chain) through \(rpc)")
        while !Task.isCancelled {
            let requests: [RequestView] = try await call.get("/v1/requests")
            let waiting = requests.filter { $0.allowed && $0.transaction?.status == PlannedTransaction.Status.awaitingParameters.rawValue
                && $0.transaction?.chain == chain }
            proposed = proposed.filter { id, _ in waiting.contains { $0.id == id } }
            var next: [String: UInt64] = [:]
            for request in waiting {
                let t = request.transaction!
                let nonce = next[t.from] ?? t.nextNonce
                if let earlier = proposed[request.id], earlier.nonce >= t.nextNonce,
                   ContinuousClock.now - earlier.at < .seconds(Int64(retryAfter)) {
                    next[t.from] = max(nonce, earlier.nonce + 1)
                    continue
                }
                do {
                    let parameters = try await proposedParameters(requestId: request.id, t, rpc: client, ParameterOverrides(nonce: nonce))
                    let entry = try TransactionParametersEntry(parameters, executor: key.file.bot, key: key.key, genesisDigest: genesis).entry()
                    let receipt: EntryReceipt = try await call.post(
                        "/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))
                    receipt.check(signed: entry, what: "parameters")
                    print("request \(request.id): nonce \(nonce), gas \(parameters.gasLimit), max fee \(parameters.maxFeePerGas) wei" +
                          (receipt.preview.map { "; \($0)" } ?? ""))
                    proposed[request.id] = (nonce, ContinuousClock.now)
                } catch {
                    print("request \(request.id): no parameters proposed: \(error)")
                }
                next[t.from] = nonce + 1
            }
            try await Task.sleep(for: .milliseconds(interval))
        }
    }
}
