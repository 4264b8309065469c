import CustosChainsRPC
import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosNode
import CustosState
import Foundation
import Logging
import ServiceLifecycle

/// A signer node's own reading of the chain, as a `Service`: for every receipt an executor
/// recorded on a chain this node has an endpoint for (`custos node run --rpc CHAIN=URL`), it
/// reads that transaction's receipt itself and submits a `request.receipt-check` entry signed
/// with its identity key, naming the digest of what it read (`TransactionReceipt.digest`, the
/// same conversion the executor used) or that the endpoint, past the receipt's block, holds none.
/// Every node then counts the checks in its state transition (`ReplicatedState.acceptReceiptCheck`).
/// Driven by the committed state only; an endpoint that has not reached the receipt's block yet
/// is asked again after `retryAfter`, and so is a check not yet committed. The chain's word is
/// never believed here: this service only says what it read, and the state decides.
public actor ReceiptChecker: Service {
    let identity: NodeIdentity
    let endpoints: [String: EVMRPCClient]
    let gateway: GatewayClient
    let logger: Logger
    let retryAfter: Duration
    private let updates: AsyncStream<ReplicatedState>
    private let updatesContinuation: AsyncStream<ReplicatedState>.Continuation
    private var state: ReplicatedState?
    /// When this node last submitted its check of each request's receipt, until its check commits.
    private var submitted: [String: ContinuousClock.Instant] = [:]
    /// Set while `checkDue` runs: one pass at a time.
    private var checking = false

    /// `endpoints` by chain name (as the policy and the registered assets name chains).
    public init(identity: NodeIdentity, endpoints: [String: EVMRPCClient], gateway: GatewayClient, logger: Logger, retryAfter: Duration = .seconds(2)) {
        self.identity = identity
        self.endpoints = endpoints
        self.gateway = gateway
        self.logger = logger
        self.retryAfter = retryAfter
        (updates, updatesContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Hands over a newly committed state (only the newest one waiting is kept).
    public nonisolated func committed(_ state: ReplicatedState) { updatesContinuation.yield(state) }

    public func run() async throws {
        logger.info("checking receipts through this node's own endpoints", metadata: ["chains": "\(endpoints.keys.sorted())"])
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

    private func adopt(_ next: ReplicatedState) {
        state = next
        let me = identity.id.rawValue
        for id in Array(submitted.keys) where next.transactions[id]?.receiptChecks.contains(where: { $0.member == me }) != false {
            submitted[id] = nil
        }
    }

    /// How many blocks this node's endpoint may trail the executor's: a receipt recorded more
    /// than this ahead of a fresh endpoint's head is read as absent.
    static let plausibleLag: UInt64 = 64
    /// How old (seconds) the endpoint's head block may be for the endpoint to count as fresh: a
    /// stalled or lagging endpoint never answers "absent" for a receipt ahead of it.
    static let freshHead: UInt64 = 120

    /// The recorded receipts on this node's chains it has not checked, nor asked about within `retryAfter`.
    private func due() -> [(plan: PlannedTransaction, receipt: TransactionReceipt)] {
        guard let state, state.members.contains(where: { $0.id == identity.id }) else { return [] }
        let me = identity.id.rawValue
        let now = ContinuousClock.now
        return state.transactions.values.compactMap { plan in
            guard let receipt = plan.receipt, endpoints[plan.chain] != nil, !plan.receiptChecks.contains(where: { $0.member == me }),
                  submitted[plan.requestId].map({ now - $0 >= retryAfter }) ?? true
            else { return nil }
            return (plan, receipt)
        }.sorted { $0.plan.requestId < $1.plan.requestId }
    }

    private func checkDue() async {
        guard !checking, let genesis = state?.genesisDigest else { return }
        checking = true
        defer { checking = false }
        for (plan, recorded) in due() {
            guard let rpc = endpoints[plan.chain] else { continue }
            do {
                let read: TransactionReceipt?
                if let found = try await rpc.transactionReceipt(recorded.transactionHash) {
                    read = TransactionReceipt(requestId: plan.requestId, read: found)
                } else {
                    // Not at this endpoint: "none" once it is past the recorded block, or when the
                    // recorded block is further ahead of it than any lag explains and its head is
                    // recent — a receipt dated in the far future must not keep every node waiting
                    // (review helper-105 H1), and a stalled endpoint must not deny a real receipt
                    // (review helper-108 M3).
                    let head = try await rpc.blockNumber()
                    if head <= recorded.blockNumber {
                        guard recorded.blockNumber - head > Self.plausibleLag, let header = try await rpc.blockHeader(head),
                              UInt64(max(0, Date().timeIntervalSince1970)) <= header.timestamp + Self.freshHead
                        else { continue }
                    }
                    read = nil
                }
                let check = ReceiptCheckEntry(of: recorded, read: read)
                _ = try await gateway.submit(try check.entry(signedBy: identity, genesisDigest: genesis))
                submitted[plan.requestId] = .now
                let agrees = read?.digest == recorded.digest
                if agrees {
                    logger.info("receipt read the same from this node's endpoint", metadata: ["request": "\(plan.requestId)"])
                } else {
                    logger.warning("the recorded receipt differs from what this node's endpoint holds", metadata: [
                        "request": "\(plan.requestId)", "transaction": "0x\(recorded.transactionHash.hexString)", "found": "\(read != nil)"])
                }
            } catch {
                logger.warning("reading a receipt failed; retrying", metadata: [
                    "request": "\(plan.requestId)", "endpoint": "\(rpc.redactedEndpoint)", "error": "\("\(error)".printable(limit: 512))"])
            }
        }
    }
}
