import CustosChainsRPC
import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosState

extension ExecutorCommand {
    /// A transaction the executor proposes parameters for in this look.
    struct Proposal: Sendable {
        let id: String
        let transaction: TransactionView
        let nonce: UInt64
        /// Its nonce is reserved to it (a replacement, a cancellation, a reserved plan): it does
        /// not depend on the sender's other transactions.
        let reserved: Bool
        /// A replacement of a transaction whose outcome is unknown.
        let replacing: Bool
        /// Run and record a simulation first (a new transaction without a recent one).
        let simulate: Bool
    }

    /// How the executor proposes parameters for the transactions of one look together: their
    /// simulations run and posted concurrently and their commits awaited together
    /// (`Simulation.recordAll`: one wait for a block, not one per transaction), the endpoint's
    /// chain and fees read once, each transaction's parameters built concurrently (a call's gas
    /// estimate is read per transaction), at most eight at a time; then posted, each sender's
    /// in request order, one after the other (the nodes take a sender's new nonces in the
    /// order the log holds them), different senders concurrently.
    struct Proposer {
        /// The executor's gateway, endpoint, key and genesis are its simulation's.
        let simulation: Simulation
        private var rpc: EVMRPCClient { simulation.rpc }

        /// What a look did: the gas of each simulation recorded, and the requests whose
        /// parameters were posted.
        struct Outcome {
            var simulated: [String: UInt64] = [:]
            var posted: Set<String> = []
        }

        /// Proposes parameters for `due` (in request order: one sender's new nonces ascending).
        /// `known` is the gas of the simulations recorded earlier. A sender's new transactions
        /// after one that cannot be proposed now (its simulation reverted or failed, its
        /// parameters could not be built or posted) wait for the next look: the nodes would
        /// refuse their nonces.
        func propose(_ due: [Proposal], simulatedGas known: [String: UInt64]) async -> Outcome {
            var outcome = Outcome()
            let simulations = await simulation.recordAll(due.filter(\.simulate).map { ($0.id, $0.transaction) })
            for case let (id, gas?) in simulations { outcome.simulated[id] = gas }
            var held: Set<String> = []
            let ready = due.filter { p in
                let blocked = !p.reserved && held.contains(p.transaction.from)
                if blocked { print("request \(p.id): waits for the next look (an earlier transaction of \(p.transaction.from) was not proposed)") }
                guard simulations[p.id] != .some(nil), !blocked else {
                    if !p.reserved { held.insert(p.transaction.from) }
                    return false
                }
                return true
            }
            guard !ready.isEmpty else { return outcome }
            let fees: EVMFeeData
            do {
                let chainId = try await rpc.chainID()
                if let other = ready.first(where: { $0.transaction.chainId != chainId }) {
                    fail("the endpoint serves chain id \(chainId), not \(other.transaction.chain)'s \(other.transaction.chainId)")
                }
                fees = try await rpc.feeData()
            } catch {
                print("no parameters proposed: the endpoint's chain or fees are not readable: \(error)")
                return outcome
            }
            let gas = ready.map { outcome.simulated[$0.id] ?? known[$0.id] }
            let built = await boundedConcurrentMap(Array(zip(ready, gas))) { (p, gas) -> TransactionParameters? in
                do {
                    return try await proposedParameters(requestId: p.id, p.transaction, rpc: rpc, ParameterOverrides(nonce: p.nonce),
                                                        simulatedGas: gas, fees: fees)
                } catch {
                    print("request \(p.id): no parameters proposed: \(error)")
                    return nil
                }
            }
            let bySender = Array(Dictionary(grouping: ready.indices, by: { ready[$0].transaction.from }).values)
            let posted = await boundedConcurrentMap(bySender) { indices -> [String] in
                var posted: [String] = []
                var blocked = false
                for i in indices.sorted() where ready[i].reserved || !blocked {
                    let p = ready[i]
                    guard let parameters = built[i], await post(parameters, for: p) else {
                        if !p.reserved { blocked = true }
                        continue
                    }
                    posted.append(p.id)
                }
                return posted
            }
            outcome.posted = Set(posted.joined())
            return outcome
        }

        /// Posts the signed parameters entry of `p`; false (and says why) when it was not taken.
        private func post(_ parameters: TransactionParameters, for p: Proposal) async -> Bool {
            do {
                let entry = try TransactionParametersEntry(parameters, executor: simulation.executor, key: simulation.key,
                                                           genesisDigest: simulation.genesis).entry()
                let receipt: EntryReceipt = try await simulation.call.post(
                    "/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))
                receipt.check(signed: entry, what: "parameters")
                print("request \(p.id): \(p.reserved ? "reserved " : "")nonce \(p.nonce), gas \(parameters.gasLimit), max fee \(parameters.maxFeePerGas) wei"
                      + (receipt.preview.map { "; \($0)" } ?? ""))
                return true
            } catch {
                print("request \(p.id): no parameters proposed: \(error)")
                return false
            }
        }
    }
}
