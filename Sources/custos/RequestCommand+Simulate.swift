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
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the simulation of a transfer's or call's transaction, as an executor bot.",
            discussion: """
                With --rpc, runs the transaction with eth_call at the endpoint's latest block; otherwise records what \
                --block, --block-hash, --gas-used (and --revert-data for a revert) say. Every node accepts parameters only \
                within 2 minutes of block time of a successful simulation; a reverted one ends an allowed request unsigned.
                """)
        @OptionGroup var connection: OperationCommand.Connection
        @Option(help: "The executor bot's key file (a bot with the executor role).") var executor: String
        @Option(help: "The chain's JSON-RPC endpoint to run the call at.") var rpc: String?
        @Option(help: "The block it ran at (without --rpc).") var block: UInt64?
        @Option(help: "That block's hash, 0x and 64 hex digits (without --rpc).") var blockHash: String?
        @Option(help: "The gas it used (without --rpc).") var gasUsed: UInt64 = 0
        @Option(help: "The revert data, 0x hex, for a reverted call (without --rpc).") var revertData: String?
        @Option(help: .hidden) var unsafeTestClockOffsetFile: String?
        @Argument(help: "The request id.") var id: String

        func run() async throws {
            let call = GatewayCall(connection.gateway)
            let clockOffset = unsafeTestClockOffsetFile.map(UnsafeClockOffset.init(path:))
            let request: RequestView = try await call.get("/v1/requests/\(percentEncoded(id))")
            _ = request.checkedBody(asked: id)
            guard let t = request.transaction else { fail("request \(printable(id)) is not a transfer or contract call") }
            let simulation: TransactionSimulation
            if let rpc {
                guard let endpoint = URL(string: rpc) else { throw ValidationError("--rpc is not a URL") }
                simulation = try await simulate(requestId: id, t, rpc: try EVMRPCClient(endpoint: endpoint), clockOffset: clockOffset)
            } else {
                guard let block, let blockHash, let hash = try? [UInt8](hex: blockHash), hash.count == 32 else {
                    throw ValidationError("give --rpc, or --block and --block-hash (0x and 64 hex digits)")
                }
                let data = try revertData.map { text throws -> [UInt8] in
                    guard let bytes = try? [UInt8](hex: text) else { throw ValidationError("--revert-data is 0x hex") }
                    return bytes
                }
                guard let value = BigUInt(t.value, radix: 10), let from = try? EVM.Address(hex: t.from), let to = try? t.recipient(),
                      let calldata = try? [UInt8](hex: t.data) else { fail("request \(printable(id)): the gateway's transaction fields do not parse") }
                simulation = TransactionSimulation(requestId: id, chainId: t.chainId, blockNumber: block, blockHash: hash,
                                                   outcome: data == nil ? .success : .reverted, gasUsed: gasUsed, revertData: data ?? [],
                                                   intentDigest: PlannedTransaction.intentDigest(chainId: t.chainId, from: from, to: to,
                                                                                                 value: value, data: calldata),
                                                   simulatedAt: clockOffset.map { $0.adjusting(wallClockMilliseconds()) } ?? wallClockMilliseconds())
            }
            let key = BotKeyFile.load(executor)
            let (_, genesis) = try await connection.cluster(call, pinned: key.file.cluster, in: executor)
            let entry = try TransactionSimulationEntry(simulation, executor: key.file.bot, key: key.key, genesisDigest: genesis).entry()
            let receipt: EntryReceipt = try await call.post("/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload,
                                                                                          authorization: entry.authorization))
            receipt.check(signed: entry, what: "simulation")
            _ = try await call.committed(receipt.entry, timeout: .seconds(15))
            print("simulated at block \(simulation.blockNumber): "
                  + (simulation.outcome == .success ? "success, gas \(simulation.gasUsed)" : "reverted, \(simulation.revertReason!)")
                  + (receipt.preview.map { "; the committed state says: \($0)" } ?? ""))
        }
    }
}
