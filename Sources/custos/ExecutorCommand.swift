import ArgumentParser
import CustosChainsRPC
import CustosClusterAPI
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Foundation

/// `custos executor`: an executor bot. It watches the gateway for allowed transfers and calls
/// whose transactions await parameters, and for governed nonce cancellations, reads gas and
/// fees from the chain's endpoint, and proposes them signed with its key. New transactions of
/// one sender take the nonces the committed state says, in request order: its free nonces
/// lowest first, then consecutive nonces from its next one. A transaction whose outcome is
/// unknown (its signing failed after signers took part) is proposed again as a replacement: the
/// nonce reserved to it, fees at least as high; a cancellation takes the cancelled nonce. It
/// holds no vault key: every node checks what it proposes.
///
/// Before it proposes parameters for a new transaction it runs it with `eth_call` at the
/// latest block and records the outcome as a signed `request.simulation` entry (every node
/// accepts parameters only within 2 minutes of block time of a successful one, and ends a
/// transaction whose simulation reverted); it waits for that entry to commit, then proposes.
/// A transfer or call still waiting for approvals is simulated once, so its approvers see it.
/// Every transaction found waiting in one look is served together (`Proposer`): simulations
/// run and commit together, parameters are posted in request order within each sender, and
/// signed transactions are broadcast and their receipts read in nonce order within each
/// sender; different senders concurrently, at most eight RPC or gateway calls at a time.
///
/// Unless `--no-broadcast`, it sends every signed transaction of its chain with
/// `eth_sendRawTransaction` (again every `--retry-after` seconds until it is mined), and once its
/// block has `--confirmations` records the receipt as a signed `request.receipt` entry; every
/// node checks it is the receipt of a transaction it signed. One not mined `--stuck-after`
/// seconds (or `--stuck-after-blocks` blocks) after its first broadcast is stuck: the executor
/// proposes a fee bump (same nonce and gas limit, fees the endpoint suggests but at least 12.5 %
/// above the stuck ones, at most the policy's fee limit on the chain), which every node checks
/// and the vault signs again; when even the 12.5 % floor is above the limit, it stops bumping
/// and says so.
struct ExecutorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "executor",
        abstract: "Propose transaction parameters for allowed transfers and calls, read from a chain endpoint (an executor bot).")

    @OptionGroup var connection: OperationCommand.Connection
    @Option(help: "The executor bot's key file (a bot with the executor role).") var executor: String
    @Option(help: "The chain's name; only its requests are served.") var chain: String
    @Option(help: "The chain's JSON-RPC endpoint, [ENVIRONMENT:]URL: with an environment (production:http://…), only requests of vaults of that environment are served.")
    var rpc: String
    @Option(help: "Milliseconds between looks at the gateway.") var interval: UInt64 = 200
    @Option(help: "Seconds after which a proposal that did not take (or a replacement) is proposed again, and between looks for cancellations.")
    var retryAfter: UInt64 = 5
    /// A test cluster's shared clock offset (`UnsafeClockOffset`): simulations are stamped with
    /// the block time its gateway and nodes use.
    @Option(help: .hidden) var unsafeTestClockOffsetFile: String?
    @Option(help: "Seconds this executor relies on a simulation it recorded before it runs the transaction again (the nodes accept parameters within 120 s of a successful one).")
    var resimulateAfter: UInt64 = 60
    @Flag(inversion: .prefixedNo, help: "Broadcast signed transactions and record their receipts.") var broadcast = true
    @Option(help: "Blocks, counting its own, a transaction's block needs before its receipt is recorded (1 on a development chain; more on a public one).")
    var confirmations: UInt64 = 1
    @Option(help: "Seconds after its first broadcast a signed transaction not yet mined is stuck: it is replaced by a fee bump (same nonce, fees at least 12.5 % higher, within the policy's fee limit). At least 10: nodes accept a bump 10 s of block time after the signature.")
    var stuckAfter: UInt64 = 60
    @Option(help: "New blocks after its first broadcast that also make a signed transaction not yet mined stuck (default: seconds only).")
    var stuckAfterBlocks: UInt64?
    /// `custos dev up`'s process id: the executor stops by itself when it is gone (`ParentWatch`).
    @Option(help: .hidden) var parentPid: Int32?

    func validate() throws {
        guard stuckAfter >= PlannedTransaction.replacementInterval / 1000 else {
            throw ValidationError("--stuck-after is at least \(PlannedTransaction.replacementInterval / 1000) seconds: nodes refuse a fee bump sooner")
        }
    }

    func run() async throws {
        ParentWatch.start(parent: parentPid)
        let (environment, url) = ChainEndpoints.environment(of: rpc)
        guard let endpoint = URL(string: String(url)) else { throw ValidationError("--rpc is [ENVIRONMENT:]URL; not a URL") }
        let client = try EVMRPCClient(endpoint: endpoint)
        let key = BotKeyFile.load(executor)
        let call = GatewayCall(connection.gateway)
        let (_, genesis) = try await connection.cluster(call, pinned: key.file.cluster, in: executor)
        var proposed: [String: (status: String, at: ContinuousClock.Instant)] = [:]
        // Replacements proposed per request, and when last: each one spends a presignature and
        // bids 12.5 % more, so a request whose signing keeps failing is replaced ever more
        // slowly (retryAfter × 2^k, at most 10 minutes), not every few seconds.
        var replacements: [String: (count: Int, at: ContinuousClock.Instant)] = [:]
        var cancellations: [(id: String, transaction: TransactionView)] = []
        var lookedForCancellations: ContinuousClock.Instant? = nil
        let served = [PlannedTransaction.Status.awaitingParameters.rawValue, PlannedTransaction.Status.outcomeUnknown.rawValue]
        // When this executor last recorded a successful simulation of a request, and which
        // requests waiting for approvals it simulated.
        var simulated: [String: ContinuousClock.Instant] = [:]
        // The gas each request's last recorded simulation used, for its gas limit.
        var simulatedGas: [String: UInt64] = [:]
        var simulatedPending: Set<String> = []
        let simulation = Simulation(call: call, rpc: client, executor: key.file.bot, key: key.key, genesis: genesis,
                                    clockOffset: unsafeTestClockOffsetFile.map(UnsafeClockOffset.init(path:)))
        let proposer = Proposer(simulation: simulation)
        let broadcaster = Broadcast(call: call, rpc: client, executor: key.file.bot, key: key.key, genesis: genesis, confirmations: confirmations)
        // When each signed transaction was last sent, and when its receipt was last posted.
        var sent: [String: ContinuousClock.Instant] = [:]
        var receipted: [String: ContinuousClock.Instant] = [:]
        // Receipts the committed state refused, by request: each refusal doubles the wait.
        var receiptRefusals: [String: Int] = [:]
        // When (and at which chain block) each signed hash was first broadcast, the hash each
        // request was last bumped from and when, the stops already said, and the policy's fee
        // limit on this chain.
        var firstSent: [String: (at: ContinuousClock.Instant, block: UInt64)] = [:]
        var bumped: [String: (hash: String, at: ContinuousClock.Instant)] = [:]
        var stopsSaid: Set<String> = []
        var feeCap: TransactionFeeBump.Cap? = nil
        // Each vault's environment, from the committed state: with an environment on --rpc, a
        // transaction is served only when its vault is of it, so this endpoint never carries
        // another environment's transactions.
        var vaultEnvironments: [String: String] = [:]
        var otherEnvironments: Set<String> = []
        func serves(_ id: String, _ t: TransactionView) -> Bool {
            guard t.chain == chain else { return false }
            guard let environment, vaultEnvironments[t.vault] != environment.rawValue else { return true }
            if let other = vaultEnvironments[t.vault], otherEnvironments.insert(id).inserted {
                print("request \(id): not served: vault \(t.vault) is a \(other) vault and this executor's endpoint serves \(environment.rawValue) vaults only "
                      + "(run one with --rpc \(other):URL)")
            }
            return false
        }
        print("executor \(key.file.bot) serving \(chain) through \(client.redactedEndpoint)" + (environment.map { " for \($0.rawValue) vaults only" } ?? ""))
        while !Task.isCancelled {
            let requests: [RequestView] = try await call.get("/v1/requests")
            if lookedForCancellations.map({ ContinuousClock.now - $0 >= .seconds(Int64(retryAfter)) }) ?? true {
                let state: GovernanceSnapshot = try await call.get("/v1/state")
                cancellations = (state.cancellations ?? []).map { ($0.id, $0.transaction) }
                vaultEnvironments = Dictionary(state.vaults.map { ($0.id, $0.environment) }, uniquingKeysWith: { a, _ in a })
                if broadcast {
                    let policy: PolicyView = try await call.get("/v1/policies/current")
                    feeCap = TransactionFeeBump.Cap(policyYAML: policy.yaml, chain: chain)
                }
                lookedForCancellations = ContinuousClock.now
            }
            var pending: [(id: String, transaction: TransactionView)] = []
            for r in requests where !r.allowed && r.approvals?.status == RequestApprovals.Status.pending.rawValue && !simulatedPending.contains(r.id) {
                guard let t = r.transaction, serves(r.id, t), t.status == PlannedTransaction.Status.awaitingParameters.rawValue else { continue }
                simulatedPending.insert(r.id)
                pending.append((r.id, t))
            }
            _ = await boundedConcurrentMap(pending) { (id, t) in await simulation.record(id, t, waitForCommit: false) }
            if broadcast {
                let mineable = [PlannedTransaction.Status.signed.rawValue, PlannedTransaction.Status.superseded.rawValue]
                let signed = (requests.filter(\.allowed).compactMap { r in r.transaction.map { (id: r.id, transaction: $0) } } + cancellations)
                    .filter { mineable.contains($0.transaction.status) && serves($0.id, $0.transaction) && $0.transaction.receipt == nil }
                var serving: [Broadcast.Signed] = []
                for (id, t) in signed {
                    if let last = receipted[id], ContinuousClock.now - last < .seconds(Int64(retryAfter)) { continue }
                    // A transaction governance superseded is never sent again (its cancellation
                    // should take the nonce); its receipt is still recorded if the chain mined it.
                    // A fee bump's new hash is sent at once.
                    let sentKey = id + (t.transactionHash ?? "")
                    let send = t.status == PlannedTransaction.Status.signed.rawValue
                        && (sent[sentKey].map { ContinuousClock.now - $0 >= .seconds(Int64(retryAfter)) } ?? true)
                    if send { sent[sentKey] = ContinuousClock.now }
                    serving.append(Broadcast.Signed(id: id, transaction: t, send: send))
                }
                for (item, found) in zip(serving, await broadcaster.serve(serving)) {
                    let (id, t, sentKey) = (item.id, item.transaction, item.id + (item.transaction.transactionHash ?? ""))
                    switch found {
                    case .recorded:
                        receipted[id] = ContinuousClock.now
                        continue
                    case .refused:
                        // Asked again after 1, 2, 4 … up to 64 waits.
                        let refusals = min((receiptRefusals[id] ?? 0) + 1, 6)
                        receiptRefusals[id] = refusals
                        receipted[id] = ContinuousClock.now + .seconds(Int64(retryAfter) * ((1 << refusals) - 1))
                        continue
                    case .mined, .unknown:
                        // Mined and waiting for confirmations, or unreadable: never bumped
                        // (review helper-96 M2: every bump spends a presignature).
                        continue
                    case .notMined:
                        break
                    }
                    guard t.status == PlannedTransaction.Status.signed.rawValue, let hash = t.transactionHash,
                          bumped[id].map({ $0.hash != hash || ContinuousClock.now - $0.at >= .seconds(Int64(retryAfter)) }) ?? true
                    else { continue }
                    do {
                        let latest = try await client.blockNumber()
                        guard let since = firstSent[sentKey] else {
                            firstSent[sentKey] = (ContinuousClock.now, latest)
                            continue
                        }
                        guard Self.isStuck(since: since.at, block: since.block, latest: latest, stuckAfter: stuckAfter, stuckAfterBlocks: stuckAfterBlocks)
                        else { continue }
                        let suggested = try await proposedParameters(requestId: id, t, rpc: client, ParameterOverrides(gasLimit: t.parameters?.gasLimit))
                        switch TransactionFeeBump.plan(id, t, suggested: suggested, cap: feeCap) {
                        case .stop(let reason):
                            if stopsSaid.insert(sentKey).inserted { print(reason) }
                        case .propose(let parameters):
                            bumped[id] = (hash, ContinuousClock.now)
                            let entry = try TransactionParametersEntry(parameters, executor: key.file.bot, key: key.key, genesisDigest: genesis).entry()
                            let receipt: EntryReceipt = try await call.post(
                                "/v1/entries", EntrySubmission(kind: entry.kind, payload: entry.payload, authorization: entry.authorization))
                            receipt.check(signed: entry, what: "fee bump")
                            print("request \(id): \(hash) not mined since its broadcast; fee bump at nonce \(parameters.nonce): max fee \(parameters.maxFeePerGas) wei, "
                                  + "priority fee \(parameters.maxPriorityFeePerGas) wei" + (receipt.preview.map { "; \($0)" } ?? ""))
                        }
                    } catch {
                        print("request \(id): no fee bump proposed: \(error)")
                    }
                }
            }
            let waiting = (requests.filter(\.allowed).compactMap { r in r.transaction.map { (id: r.id, transaction: $0) } } + cancellations)
                .filter { served.contains($0.transaction.status) && serves($0.id, $0.transaction) }
            proposed = proposed.filter { id, earlier in waiting.contains { $0.id == id && $0.transaction.status == earlier.status } }
            // How many new nonces each sender has handed out in this look.
            var handed: [String: Int] = [:]
            var due: [Proposal] = []
            for (id, t) in waiting {
                let reserved = t.status == PlannedTransaction.Status.outcomeUnknown.rawValue || t.reservedNonce != nil
                let nonce: UInt64
                if reserved {
                    nonce = stateNonce(t)
                } else {
                    let k = handed[t.from, default: 0]
                    nonce = k < t.freeNonces.count ? t.freeNonces[k] : t.nextNonce + UInt64(k - t.freeNonces.count)
                    handed[t.from] = k + 1
                }
                if let earlier = proposed[id], ContinuousClock.now - earlier.at < .seconds(Int64(retryAfter)) { continue }
                let replacing = t.status == PlannedTransaction.Status.outcomeUnknown.rawValue
                if replacing, let last = replacements[id], ContinuousClock.now - last.at < Self.replacementWait(after: last.count, retryAfter: retryAfter) {
                    continue
                }
                let simulate = !reserved && t.status == PlannedTransaction.Status.awaitingParameters.rawValue
                    && simulated[id].map({ ContinuousClock.now - $0 >= .seconds(Int64(resimulateAfter)) }) ?? true
                due.append(Proposal(id: id, transaction: t, nonce: nonce, reserved: reserved, replacing: replacing, simulate: simulate))
            }
            if !due.isEmpty {
                let outcome = await proposer.propose(due, simulatedGas: simulatedGas)
                for (id, gas) in outcome.simulated {
                    simulated[id] = ContinuousClock.now
                    simulatedGas[id] = gas
                }
                for p in due where outcome.posted.contains(p.id) {
                    proposed[p.id] = (p.transaction.status, ContinuousClock.now)
                    if p.replacing { replacements[p.id] = ((replacements[p.id]?.count ?? 0) + 1, ContinuousClock.now) }
                }
            }
            try await Task.sleep(for: .milliseconds(interval))
        }
    }

    /// How long the executor waits before proposing the next replacement of a request it has
    /// replaced `count` times: `retryAfter` seconds doubled each time, at most 10 minutes.
    static func replacementWait(after count: Int, retryAfter: UInt64) -> Duration {
        .seconds(min(Int64(600), Int64(min(retryAfter, 600)) << min(count, 10)))
    }
}
