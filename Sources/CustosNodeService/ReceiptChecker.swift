import CustosChains
import CustosChainsRPC
import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosNode
import CustosPolicy
import CustosState
import Foundation
import Logging
import ServiceLifecycle

/// A signer node's own reading of the chain, as a `Service`: for every receipt an executor
/// recorded that the members' checks have not settled (`ReplicatedState.receiptsToCheck(by:)`),
/// on a chain this node has an endpoint for in the environment of the vault that sent it
/// (`custos node run --rpc [ENVIRONMENT:]CHAIN=URL`), it reads that transaction's receipt
/// itself and submits a `request.receipt-check` entry signed with its identity key, naming the
/// digest of what it read (`TransactionReceipt.digest`, the same conversion the executor used)
/// or that the endpoint, past the receipt's block, holds none. Every node then counts the
/// checks in its state transition (`ReplicatedState.acceptReceiptCheck`). For every deployment
/// whose receipt the checks confirmed (`ReplicatedState.deploymentsToCheck(by:)`), it reads the
/// code at the contract's address and each expected view call at the receipt's block, and
/// submits a `request.deployment-check` entry with their Keccak-256 hashes
/// (`ReplicatedState.acceptDeploymentCheck` compares them with the request).
///
/// Only vaults this node may hold are looked at (`NodeEnvironment.mayHold`), each through an
/// endpoint of the vault's own environment; an endpoint serving another chain id than the
/// plan's is never used. Driven by the committed state only; an endpoint that has not reached
/// the receipt's block yet, or failed, is asked again after `retryAfter`, and so is a check not
/// yet committed. The chain's word is never believed here: this service only says what it
/// read, and the state decides.
public actor ReceiptChecker: Service {
    let identity: NodeIdentity
    /// This node's endpoints by the environment of the vaults they serve, then by chain name.
    let readers: [DeploymentEnvironment: [String: any ReceiptChainReader]]
    let submit: @Sendable (Entry) async throws -> Void
    let logger: Logger
    let retryAfter: Duration
    /// How many blocks deep (the including block counts as one) a receipt must be at this
    /// node's endpoint before it is checked, and how far past the recorded block the endpoint
    /// must be to read "none": a reorg may still move or drop a shallower one.
    let depth: UInt64
    /// The wall clock, in seconds since 1970: how old an endpoint's head block is.
    let now: @Sendable () -> UInt64
    private let updates: AsyncStream<ReplicatedState>
    private let updatesContinuation: AsyncStream<ReplicatedState>.Continuation
    /// The receipts this node has still to check, as the newest committed state says.
    private var pending: [ReceiptToCheck] = []
    /// The deployments this node has still to read, as the newest committed state says.
    private var pendingDeployments: [DeploymentToCheck] = []
    private var genesisDigest: [UInt8]?
    /// When this node last submitted its check of each request's receipt, until its check commits.
    private var submitted: [String: ContinuousClock.Instant] = [:]
    /// When a reading of each request's receipt last failed or had to wait: asked again after `retryAfter`.
    private var deferred: [String: ContinuousClock.Instant] = [:]
    /// The chain id each endpoint (by `environment/chain`) answered, once read.
    private var servedChainIds: [String: UInt64] = [:]
    /// Set while `checkDue` runs: one pass at a time.
    private var checking = false

    /// `endpoints` by chain name and environment (as the policy and the registered assets name
    /// chains); this node reads only for vaults its `environment` may hold.
    public init(identity: NodeIdentity, environment: NodeEnvironment, endpoints: ChainEndpoints, gateway: GatewayClient, logger: Logger,
                depth: UInt64, retryAfter: Duration = .seconds(2)) {
        self.init(identity: identity, readers: Self.readers(environment: environment, endpoints: endpoints),
                  submit: { entry in _ = try await gateway.submit(entry) }, logger: logger, depth: depth, retryAfter: retryAfter)
    }

    package init(identity: NodeIdentity, readers: [DeploymentEnvironment: [String: any ReceiptChainReader]],
                 submit: @escaping @Sendable (Entry) async throws -> Void, logger: Logger, depth: UInt64 = 1, retryAfter: Duration = .seconds(2),
                 now: @escaping @Sendable () -> UInt64 = { UInt64(max(0, Date().timeIntervalSince1970)) }) {
        self.identity = identity
        self.readers = readers
        self.submit = submit
        self.logger = logger
        self.retryAfter = retryAfter
        self.depth = max(depth, 1)
        self.now = now
        (updates, updatesContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The endpoints of `endpoints` a node of `environment` reads through, by the environment of
    /// the vaults they serve: only environments whose vaults it may hold (`NodeEnvironment.mayHold`).
    package static func readers(environment: NodeEnvironment, endpoints: ChainEndpoints) -> [DeploymentEnvironment: [String: any ReceiptChainReader]] {
        var readers: [DeploymentEnvironment: [String: any ReceiptChainReader]] = [:]
        for vaults in DeploymentEnvironment.allCases where environment.mayHold(vaults) {
            let clients = endpoints.clients(for: vaults)
            if !clients.isEmpty { readers[vaults] = clients.mapValues { $0 as any ReceiptChainReader } }
        }
        return readers
    }

    /// Hands over a newly committed state (only the newest one waiting is kept).
    public nonisolated func committed(_ state: ReplicatedState) { updatesContinuation.yield(state) }

    public func run() async throws {
        let served = readers.keys.sorted().map { e in "\(e.rawValue): \(readers[e]!.keys.sorted().joined(separator: ", "))" }
        logger.info("checking receipts through this node's own endpoints", metadata: ["chains": "\(served)"])
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await next in self.updates {
                        if Task.isCancelled { return }
                        await self.adopt(next)
                        await self.checkDue()
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: self.retryAfter)
                        await self.checkDue()
                    }
                }
                await group.waitForAll()
            }
        }
    }

    private func adopt(_ state: ReplicatedState) {
        adopt(state.receiptsToCheck(by: identity.id.rawValue), genesisDigest: state.genesisDigest)
        adopt(deployments: state.deploymentsToCheck(by: identity.id.rawValue))
    }

    /// Takes the deployments this node has still to read; a submitted reading no longer among
    /// them has committed, or the deployment settled.
    package func adopt(deployments: [DeploymentToCheck]) {
        pendingDeployments = deployments
        let open = Set(deployments.map { Self.deploymentKey($0.requestId) })
        for id in Array(submitted.keys) where id.hasPrefix("deployment:") && !open.contains(id) { submitted[id] = nil }
        for id in Array(deferred.keys) where id.hasPrefix("deployment:") && !open.contains(id) { deferred[id] = nil }
    }

    /// The key of a deployment reading in `submitted` and `deferred`, apart from its request's receipt check.
    static func deploymentKey(_ request: String) -> String { "deployment:" + request }

    /// Takes the receipts this node has still to check (what `committed` derives from a state):
    /// a submitted check no longer among them has committed, or its receipt settled.
    package func adopt(_ receipts: [ReceiptToCheck], genesisDigest: [UInt8]) {
        pending = receipts
        self.genesisDigest = genesisDigest
        let open = Set(receipts.map(\.requestId))
        for id in Array(submitted.keys) where !id.hasPrefix("deployment:") && !open.contains(id) { submitted[id] = nil }
        for id in Array(deferred.keys) where !id.hasPrefix("deployment:") && !open.contains(id) { deferred[id] = nil }
    }

    /// How many blocks this node's endpoint may trail the executor's: a receipt recorded more
    /// than this ahead of a fresh endpoint's head is read as absent.
    static let plausibleLag: UInt64 = 64
    /// How old (seconds) the endpoint's head block may be for the endpoint to count as fresh: a
    /// stalled or lagging endpoint never answers "absent" for a receipt ahead of it.
    static let freshHead: UInt64 = 120

    /// The pending receipts this node has an endpoint for, neither submitted nor deferred within `retryAfter`.
    private func due() -> [(ReceiptToCheck, any ReceiptChainReader)] {
        let now = ContinuousClock.now
        return pending.compactMap { r in
            guard let reader = readers[r.environment]?[r.chain],
                  submitted[r.requestId].map({ now - $0 >= retryAfter }) ?? true,
                  deferred[r.requestId].map({ now - $0 >= retryAfter }) ?? true
            else { return nil }
            return (r, reader)
        }
    }

    /// Reads and submits a check of every due receipt, then of every due deployment, one at a
    /// time; a reading that fails or must wait submits nothing and is tried again after `retryAfter`.
    package func checkDue() async {
        guard !checking, let genesis = genesisDigest else { return }
        checking = true
        defer { checking = false }
        await checkReceipts(genesis)
        await checkDeployments(genesis)
    }

    private func checkReceipts(_ genesis: [UInt8]) async {
        for (due, reader) in due() {
            let id = due.requestId
            do {
                guard try await serves(due.chain, due.chainId, due.environment, reader) else { continue }
                guard let read = try await reading(of: due.recorded, from: reader) else {
                    deferred[id] = .now
                    continue
                }
                let found = read.map { TransactionReceipt(requestId: id, read: $0) }
                try await submit(try ReceiptCheckEntry(of: due.recorded, read: found).entry(signedBy: identity, genesisDigest: genesis))
                submitted[id] = .now
                deferred[id] = nil
                if found?.digest == due.recorded.digest {
                    logger.info("receipt read the same from this node's endpoint", metadata: ["request": "\(id)"])
                } else {
                    logger.warning("the recorded receipt differs from what this node's endpoint holds", metadata: [
                        "request": "\(id)", "transaction": "0x\(due.recorded.transactionHash.hexString)", "found": "\(found != nil)"])
                }
            } catch {
                deferred[id] = .now
                logger.warning("reading or submitting a receipt check failed; retrying", metadata: [
                    "request": "\(id)", "endpoint": "\(reader.redactedEndpoint)", "error": "\("\(error)".printable(limit: 512))"])
            }
        }
    }

    /// Reads every due deployment at the block this node's own endpoint mined its transaction in
    /// (the receipt's block number is the executor's word): the Keccak-256 of the code at its
    /// address and of each expected call's answer (nil for a call the endpoint answers with an
    /// error: reverted, out of gas, an invalid opcode), and submits them. An endpoint without the
    /// receipt yet, or that fails to answer, submits nothing and is asked again after `retryAfter`.
    private func checkDeployments(_ genesis: [UInt8]) async {
        let now = ContinuousClock.now
        for due in pendingDeployments {
            let key = Self.deploymentKey(due.requestId)
            guard let reader = readers[due.environment]?[due.chain],
                  submitted[key].map({ now - $0 >= retryAfter }) ?? true, deferred[key].map({ now - $0 >= retryAfter }) ?? true
            else { continue }
            do {
                guard try await serves(due.chain, due.chainId, due.environment, reader) else { continue }
                guard let mined = try await reader.transactionReceipt(due.transactionHash), mined.succeeded,
                      mined.contractAddress.map({ $0 == due.contract }) ?? true
                else {
                    deferred[key] = .now
                    logger.warning("this node's endpoint holds no successful receipt creating the deployment's contract yet; retrying", metadata: [
                        "request": "\(due.requestId)", "endpoint": "\(reader.redactedEndpoint)"])
                    continue
                }
                let block = EVMBlockTag.number(mined.blockNumber)
                let code = try await reader.code(due.contract, block: block)
                var answers: [[UInt8]?] = []
                for data in due.calls {
                    // Any error the endpoint answers a call with at an existing block is a failed
                    // call (a tampered build may hit an invalid opcode or loop out of gas); only
                    // a transport failure defers the reading.
                    do { answers.append(try await reader.call(to: due.contract, data: data, from: nil, block: block)) } catch let error as EVMRPCError
                        where error.code == .rpcError {
                        answers.append(nil)
                    }
                }
                let check = DeploymentCheckEntry(requestId: due.requestId, blockNumber: mined.blockNumber, code: code, answers: answers)
                try await submit(try check.entry(signedBy: identity, genesisDigest: genesis))
                submitted[key] = .now
                deferred[key] = nil
                logger.info("deployment read from this node's endpoint", metadata: [
                    "request": "\(due.requestId)", "contract": "\(due.contract.checksummed)", "code": "0x\(check.codeHash.hexString)"])
            } catch {
                deferred[key] = .now
                logger.warning("reading or submitting a deployment check failed; retrying", metadata: [
                    "request": "\(due.requestId)", "endpoint": "\(reader.redactedEndpoint)", "error": "\("\(error)".printable(limit: 512))"])
            }
        }
    }

    /// Whether `reader` serves `chainId` (`chain` in `environment`): read once per endpoint; an
    /// endpoint of another chain is never used (a wrong `--rpc` must not dispute real receipts).
    private func serves(_ chain: String, _ chainId: UInt64, _ environment: DeploymentEnvironment, _ reader: any ReceiptChainReader) async throws -> Bool {
        let key = "\(environment.rawValue)/\(chain)"
        let served: UInt64
        if let known = servedChainIds[key] {
            served = known
        } else {
            served = try await reader.chainID()
            servedChainIds[key] = served
            if served != chainId {
                logger.error("this node's endpoint serves another chain: no receipt is checked through it", metadata: [
                    "chain": "\(chain)", "environment": "\(environment.rawValue)", "endpoint": "\(reader.redactedEndpoint)",
                    "expected": "\(chainId)", "served": "\(served)"])
            }
        }
        return served == chainId
    }

    /// What `reader` holds of `recorded`'s transaction: `.some(receipt)`, `.some(nil)` for no
    /// receipt, nil while it cannot say yet. A receipt is read once it is `depth` blocks deep.
    /// No receipt is "none" once the endpoint is `depth` blocks past the recorded block, or when the recorded block is further ahead of it than any lag explains
    /// and its head is recent (`plausibleLag`, `freshHead`): a receipt dated in the far future
    /// must not keep every node waiting (review helper-105 H1), and a stalled endpoint must not
    /// deny a real receipt (review helper-108 M3).
    private func reading(of recorded: TransactionReceipt, from reader: any ReceiptChainReader) async throws -> EVMReceipt?? {
        if let found = try await reader.transactionReceipt(recorded.transactionHash) {
            guard depth > 1 else { return .some(found) }
            let head = try await reader.blockNumber()
            return head >= found.blockNumber && head - found.blockNumber >= depth - 1 ? .some(found) : nil
        }
        let head = try await reader.blockNumber()
        if head > recorded.blockNumber { return head - recorded.blockNumber >= depth ? .some(nil) : nil }
        guard recorded.blockNumber - head > Self.plausibleLag, let header = try await reader.blockHeader(head),
              // Never adds to the endpoint's timestamp, which could overflow (review helper-113 M3).
              now() <= Self.freshHead || now() - Self.freshHead <= header.timestamp
        else { return nil }
        return .some(nil)
    }
}
