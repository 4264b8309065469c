import BigInt
import CustosChains
import CustosChainsRPC
import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState
import Foundation

extension ExecutorCommand {
    /// How the executor simulates a planned transaction and records the outcome.
    struct Simulation {
        let call: GatewayCall
        let rpc: EVMRPCClient
        let executor: String
        let key: BotSigningKey
        let genesis: [UInt8]
        let clockOffset: UnsafeClockOffset?

        /// Runs transaction `t` of request `id` with `eth_call` at the latest block and posts the
        /// signed `request.simulation` entry; with `waitForCommit`, waits until it committed.
        /// The gas the simulation used when it succeeded and was recorded; nil for a revert or an
        /// error, which it prints.
        func record(_ id: String, _ t: TransactionView, waitForCommit: Bool) async -> UInt64? {
            guard let posted = await post(id, t) else { return nil }
            if waitForCommit, await !committed(id, posted.entry) { return nil }
            return posted.gas
        }

        /// `record(_:_:waitForCommit: true)` for each of `transactions`: run and posted at most
        /// eight at a time, then their commits awaited one after the other (they share blocks, so
        /// the first wait covers most: one long poll at a time, however many there are). The gas
        /// of each, nil where `record` would give nil.
        func recordAll(_ transactions: [(id: String, transaction: TransactionView)]) async -> [String: UInt64?] {
            let posted = await boundedConcurrentMap(transactions) { (id, t) in await post(id, t) }
            var gas: [String: UInt64?] = [:]
            for ((id, _), entry) in zip(transactions, posted) {
                guard let entry else {
                    gas[id] = .some(nil)
                    continue
                }
                // Explicitly `.some`: a simulation that did not commit keeps its key with no gas
                // (it is not proposed), rather than being dropped from the answer.
                let taken = await committed(id, entry.entry)
                gas[id] = .some(taken ? entry.gas : nil)
            }
            return gas
        }

        /// Runs `t` and posts the signed simulation entry: the entry's digest, and the gas when it
        /// succeeded and the gateway's preview does not refuse it; nil (said why) when nothing
        /// was posted.
        private func post(_ id: String, _ t: TransactionView) async -> (entry: String, gas: UInt64?)? {
            do {
                let outcome = try await simulate(requestId: id, t, rpc: rpc, clockOffset: clockOffset)
                let entry = try TransactionSimulationEntry(outcome, executor: executor, key: key, genesisDigest: genesis).entry()
                let receipt: EntryReceipt = try await call.post(
                    "/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))
                receipt.check(signed: entry, what: "simulation")
                print("request \(id): simulated at block \(outcome.blockNumber): "
                      + (outcome.outcome == .success ? "success, gas \(outcome.gasUsed)" : "reverted, \(outcome.revertReason!)")
                      + (receipt.preview.map { "; \($0)" } ?? ""))
                let taken = outcome.outcome == .success && receipt.preview?.hasPrefix("refused") != true
                return (receipt.entry, taken ? outcome.gasUsed : nil)
            } catch {
                print("request \(id): not simulated: \(error)")
                return nil
            }
        }

        /// Whether the simulation entry `entry` of request `id` committed within 15 s (said
        /// when not). An unreachable gateway, or one that refuses the question, ends the executor
        /// (`GatewayCall.committed`); what is caught here is an answer that could not be read.
        private func committed(_ id: String, _ entry: String) async -> Bool {
            do {
                if try await call.committed(entry, timeout: .seconds(15)) != nil { return true }
                print("request \(id): the simulation did not commit within 15 s")
            } catch {
                print("request \(id): whether the simulation committed could not be read: \(error)")
            }
            return false
        }
    }
}

/// The simulation of transaction `t` of request `requestId` at the latest block of `rpc`'s
/// chain, its revert data cut to what the nodes keep, naming the transaction it ran (its intent
/// digest: nodes refuse it if the gateway showed another than the committed plan) and when.
/// Refuses an endpoint on another chain and a value that is not a decimal number. `clockOffset`
/// only in a test cluster (`UnsafeClockOffset`).
func simulate(requestId: String, _ t: TransactionView, rpc: EVMRPCClient, clockOffset: UnsafeClockOffset? = nil) async throws -> TransactionSimulation {
    let chainId = try await rpc.chainID()
    guard chainId == t.chainId else { fail("the endpoint serves chain id \(chainId), not \(t.chain)'s \(t.chainId)") }
    guard let value = BigUInt(t.value, radix: 10) else { fail("request \(printable(requestId)): the value \(printable(t.value)) is not a decimal number") }
    let (from, to, data) = (try EVM.Address(hex: t.from), try t.recipient(), try [UInt8](hex: t.data))
    let result = try await rpc.simulate(from: from, to: to, value: value, data: data)
    return TransactionSimulation(requestId: requestId, chainId: t.chainId, blockNumber: result.blockNumber, blockHash: result.blockHash,
                                 outcome: result.succeeded ? .success : .reverted, gasUsed: result.gasUsed,
                                 revertData: Array(result.revertData.prefix(TransactionSimulation.maximumRevertData)),
                                 intentDigest: PlannedTransaction.intentDigest(chainId: t.chainId, from: from, to: to, value: value, data: data),
                                 simulatedAt: clockOffset.map { $0.adjusting(wallClockMilliseconds()) } ?? wallClockMilliseconds())
}

/// Milliseconds since the Unix epoch by this machine's clock.
func wallClockMilliseconds() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }
