import CustosClusterAPI
import CustosLedger
import Foundation
import Logging
import ServiceLifecycle

/// The gateway's sequencing core: owns the `Sequencer` and its store. It proposes a block only
/// when entries are queued and no proposal is in flight, persists every proposal before
/// returning it, and persists every certified block before acknowledging the vote that
/// completed it. Trusted for liveness only: nodes check everything it hands them.
///
/// Long polls: nodes and clients may wait (bounded by `maximumWait`) for a proposal, a block or
/// an entry's commit; they are parked here and woken by the change they wait for. As a `Service`
/// it releases every parked request at graceful shutdown, so the HTTP server can drain.
public actor Gateway: Service {
    public static let maximumEntriesPerBlock = 1_000
    /// The longest a request may be held open waiting for a change.
    public static let maximumWait: Duration = .seconds(25)

    private var sequencer: Sequencer
    private let database: GatewayDatabase
    private let logger: Logger
    private let clock: @Sendable () -> UInt64
    /// TEST HOOK: nodes that are first shown a second, different block at the height in flight.
    private let unsafeEquivocateTo: Set<String>
    private var equivocatedTo: Set<String> = []
    private var waiters = GatewayWaiters()
    /// Submissions waiting to be written to the queue together (group commit: one transaction,
    /// one fsync, for all entries that arrived while the previous write ran).
    private var submissions: [(entry: Entry, continuation: CheckedContinuation<Int64, any Error>)] = []
    private var flushScheduled = false

    public init(configuration: ClusterConfiguration, database: GatewayDatabase, logger: Logger,
                clock: @escaping @Sendable () -> UInt64 = Gateway.wallClock,
                unsafeEquivocateTo: Set<String> = []) throws {
        let state = try database.sequencerState() ?? .genesis(configuration)
        let restored = try Sequencer(configuration: configuration, state: state)
        sequencer = restored
        self.database = database
        self.logger = logger
        self.clock = clock
        self.unsafeEquivocateTo = unsafeEquivocateTo
        if !unsafeEquivocateTo.isEmpty {
            logger.critical("UNSAFE TEST HOOK: this gateway equivocates", metadata: ["to": "\(unsafeEquivocateTo.sorted())"])
        }
        if case let .resend(block)? = restored.resume() {
            logger.info("resuming with the stored proposal", metadata: ["height": "\(block.height)", "hash": "\(block.hash.short)"])
        }
    }

    public static let wallClock: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }

    public var configuration: ClusterConfiguration { sequencer.configuration }

    /// Queues an entry for the next block; durable when this returns. Entries submitted
    /// concurrently are written in one transaction. While a block is in flight they wait in the
    /// queue, and the next block carries them all (up to `maximumEntriesPerBlock`).
    public func submit(_ entry: Entry) async throws -> EntryReceipt {
        let queueID: Int64 = try await withCheckedThrowingContinuation { continuation in
            submissions.append((entry, continuation))
            if !flushScheduled {
                flushScheduled = true
                Task { self.flushSubmissions() }
            }
        }
        return EntryReceipt(queueID: queueID, digest: entry.digest)
    }

    private func flushSubmissions() {
        flushScheduled = false
        let batch = submissions
        submissions = []
        guard !batch.isEmpty else { return }
        do {
            let ids = try database.enqueue(batch.map(\.entry))
            for (submission, id) in zip(batch, ids) { submission.continuation.resume(returning: id) }
            wake(.proposals)
        } catch {
            for submission in batch { submission.continuation.resume(throwing: error) }
        }
    }

    /// The proposal a node at committed height `after` should vote on: the one in flight (the
    /// same block every time, also after a restart), or a new one from the queue, stored first.
    /// Nil when the node is behind (it must catch up by blocks first) or there is nothing to do.
    public func nextProposal(after height: UInt64, node: String? = nil) throws -> Block? {
        if let pending = sequencer.pending {
            guard pending.height == height + 1 else { return nil }
            return try equivocating(pending, node: node)
        }
        guard height == sequencer.head.height else { return nil }
        let queued = try database.queued(limit: Self.maximumEntriesPerBlock)
        guard !queued.isEmpty else { return nil }
        switch try sequencer.propose(entries: queued.map(\.entry), now: clock()) {
        case let .persistProposalThenSend(block):
            try database.storeProposal(sequencer.state, consumed: queued.map(\.id))
            logger.info("proposed", metadata: ["height": "\(block.height)", "entries": "\(block.entries.count)"])
            wake(.proposals)
            return try equivocating(block, node: node)
        case let .resend(block):
            return block
        }
    }

    /// `nextProposal(after:node:)`, waiting up to `wait` for one when the node is level with the
    /// committed head and there is nothing to vote on yet. Returns nil at once when the node is
    /// not level with the gateway's head (it must catch up first), and nil after the wait.
    public func nextProposal(after height: UInt64, node: String? = nil, wait: Duration) async throws -> Block? {
        let deadline = ContinuousClock.now + min(wait, Self.maximumWait)
        while true {
            if let block = try nextProposal(after: height, node: node) { return block }
            guard height == sequencer.head.height, !waiters.closed, !Task.isCancelled, ContinuousClock.now < deadline else { return nil }
            await park(on: .proposals, until: deadline)
        }
    }

    /// TEST HOOK: a node named in `unsafeEquivocateTo` gets, once, another block at the same
    /// height (never recorded, never certifiable by this sequencer); everyone else the real one.
    private func equivocating(_ block: Block, node: String?) throws -> Block {
        guard let node, unsafeEquivocateTo.contains(node), equivocatedTo.insert(node).inserted,
              let other = try sequencer.unsafeEquivocatingProposal(entries: block.entries + [try Entry(kind: "test.equivocation", payload: [])])
        else { return block }
        logger.critical("UNSAFE TEST HOOK: sent a conflicting block", metadata: ["node": "\(node)", "height": "\(other.height)"])
        return other
    }

    /// Counts a vote; a completed certificate is stored before this returns, and then the
    /// requests waiting for that block, its entries or new work are woken.
    public func receive(_ vote: Vote) throws -> VoteOutcome {
        let before = sequencer.state
        let outcome = sequencer.receive(vote)
        switch outcome {
        case let .certified(certified):
            do {
                try database.storeCommitted(certified, state: sequencer.state)
            } catch {
                // Not durable: keep the proposal in flight so the votes are collected again.
                sequencer = try Sequencer(configuration: sequencer.configuration, state: before)
                throw error
            }
            logger.info("committed", metadata: ["height": "\(certified.block.height)", "hash": "\(certified.block.hash.short)"])
            wake(.block(certified.block.height))
            let awaited = waiters.awaitedEntries
            if !awaited.isEmpty {
                let carried = Set(certified.block.entries.map(\.digest))
                for digest in awaited where carried.contains(digest) { wake(.entry(digest)) }
            }
            wake(.proposals)
        case let .flagged(voter, error):
            logger.warning("flagged vote", metadata: ["voter": "\(voter)", "error": "\(error)"])
        case .recorded, .ignored:
            break
        }
        return outcome
    }

    public func committedBlock(height: UInt64) throws -> CertifiedBlock? {
        try database.committedBlock(height: height)
    }

    /// The certified block at `height`, waiting up to `wait` for it to be certified.
    public func committedBlock(height: UInt64, wait: Duration) async throws -> CertifiedBlock? {
        let deadline = ContinuousClock.now + min(wait, Self.maximumWait)
        while true {
            if height <= sequencer.head.height, let certified = try database.committedBlock(height: height) { return certified }
            guard !waiters.closed, !Task.isCancelled, ContinuousClock.now < deadline else { return nil }
            await park(on: .block(height), until: deadline)
        }
    }

    /// Where the entry with `digest` committed (the first time, if byte-identical entries were
    /// submitted more than once), waiting up to `wait` for it; nil if it has not committed.
    public func committedEntry(_ digest: LedgerHash, wait: Duration = .zero) async throws -> CommittedEntry? {
        let deadline = ContinuousClock.now + min(wait, Self.maximumWait)
        while true {
            if let found = try database.committedEntry(digest: digest) { return found }
            guard !waiters.closed, !Task.isCancelled, ContinuousClock.now < deadline else { return nil }
            await park(on: .entry(digest), until: deadline)
        }
    }

    /// Requests parked in long polls right now.
    public var waitingRequests: Int { waiters.count }

    /// Runs until graceful shutdown, then releases every parked request and parks no more.
    public func run() async throws {
        try? await gracefulShutdown()
        shutdown()
    }

    /// Releases every parked request (each answers "nothing yet"); later waits return at once.
    public func shutdown() {
        for continuation in waiters.close() { continuation.resume() }
    }

    // MARK: Parking

    /// Parks the caller until `topic` is woken, `deadline` passes, the task is cancelled or the
    /// gateway shuts down, whichever comes first. The caller re-checks its condition afterwards.
    private func park(on topic: GatewayWaiters.Topic, until deadline: ContinuousClock.Instant) async {
        let id = waiters.reserveID()
        let timer = Task { [weak self] in
            do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
            await self?.unpark(id, from: topic)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if let refused = waiters.park(id, on: topic, continuation) {
                    refused.resume()
                } else if Task.isCancelled {
                    unpark(id, from: topic)
                }
            }
        } onCancel: {
            Task { await self.unpark(id, from: topic) }
        }
        timer.cancel()
    }

    private func unpark(_ id: UInt64, from topic: GatewayWaiters.Topic) {
        waiters.remove(id, from: topic)?.resume()
    }

    private func wake(_ topic: GatewayWaiters.Topic) {
        for continuation in waiters.release(topic) { continuation.resume() }
    }

    public func health() throws -> GatewayHealth {
        GatewayHealth(status: "ok", committedHeight: sequencer.head.height, pendingHeight: sequencer.pending?.height,
                      queuedEntries: try database.queuedCount())
    }
}
