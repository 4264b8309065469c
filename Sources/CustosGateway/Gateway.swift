import CustosClusterAPI
import CustosLedger
import Foundation
import Logging

/// The gateway's sequencing core: owns the `Sequencer` and its store. It proposes a block only
/// when entries are queued and no proposal is in flight, persists every proposal before
/// returning it, and persists every certified block before acknowledging the vote that
/// completed it. Trusted for liveness only: nodes check everything it hands them.
///
/// Several gateways may share one store: sequencer writes are compare-and-swap, and a gateway
/// whose write loses adopts the stored state and serves the stored proposal instead of its own.
public actor Gateway {
    public static let maximumEntriesPerBlock = 1_000

    private var sequencer: Sequencer
    private let store: any GatewayStore
    /// Store reads and the writes that depend on them run one request at a time.
    private let turns = AsyncSerialQueue()
    private let logger: Logger
    private let clock: @Sendable () -> UInt64
    /// TEST HOOK: nodes that are first shown a second, different block at the height in flight.
    private let unsafeEquivocateTo: Set<String>
    private var equivocatedTo: Set<String> = []

    public init(configuration: ClusterConfiguration, store: any GatewayStore, logger: Logger,
                clock: @escaping @Sendable () -> UInt64 = Gateway.wallClock,
                unsafeEquivocateTo: Set<String> = []) async throws {
        let state = try await store.sequencerState() ?? .genesis(configuration)
        let restored = try Sequencer(configuration: configuration, state: state)
        sequencer = restored
        self.store = store
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

    /// Queues an entry for the next block.
    public func submit(_ entry: Entry) async throws -> Int64 {
        try await store.enqueue(entry)
    }

    /// The proposal a node at committed height `after` should vote on: the one in flight (the
    /// same block every time, also after a restart), or a new one from the queue, stored first.
    /// Nil when the node is behind (it must catch up by blocks first) or there is nothing to do.
    public func nextProposal(after height: UInt64, node: String? = nil) async throws -> Block? {
        try await inTurn {
            if let block = try await proposal(after: height, node: node) { return block }
            // Nothing here: another gateway sharing the store may have moved on. Adopt and look again.
            guard try await adoptStoredState() else { return nil }
            return try await proposal(after: height, node: node)
        }
    }

    private func proposal(after height: UInt64, node: String?) async throws -> Block? {
        if let pending = sequencer.pending {
            guard pending.height == height + 1 else { return nil }
            return try equivocating(pending, node: node)
        }
        guard height == sequencer.head.height else { return nil }
        let queued = try await store.queued(limit: Self.maximumEntriesPerBlock)
        guard !queued.isEmpty else { return nil }
        let before = sequencer.state
        switch try sequencer.propose(entries: queued.map(\.entry), now: clock()) {
        case let .persistProposalThenSend(block):
            let write: GatewayStoreWrite
            do { write = try await store.storeProposal(sequencer.state, consumed: queued.map(\.id)) } catch {
                // Not durable: never serve it.
                sequencer = try Sequencer(configuration: sequencer.configuration, state: before)
                throw error
            }
            if case let .conflict(stored) = write {
                // Another gateway stored its proposal first: serve that one, never ours.
                try adopt(stored)
                guard let pending = sequencer.pending, pending.height == height + 1 else { return nil }
                return try equivocating(pending, node: node)
            }
            logger.info("proposed", metadata: ["height": "\(block.height)", "entries": "\(block.entries.count)"])
            return try equivocating(block, node: node)
        case let .resend(block):
            return block
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

    /// Counts a vote; a completed certificate is stored before this returns.
    public func receive(_ vote: Vote) async throws -> VoteOutcome {
        try await inTurn { try await counting(vote) }
    }

    private func counting(_ vote: Vote) async throws -> VoteOutcome {
        let before = sequencer.state
        let outcome = sequencer.receive(vote)
        switch outcome {
        case let .certified(certified):
            do {
                if case let .conflict(stored) = try await store.storeCommitted(certified, state: sequencer.state) {
                    // Another gateway moved the sequencer: adopt its state; ours is not stored.
                    try adopt(stored)
                    guard let committed = try await store.committedBlock(height: certified.block.height),
                          committed.block == certified.block else {
                        return .ignored(reason: "another gateway sharing the store moved the sequencer past \(certified.block.height - 1)")
                    }
                    return .certified(committed)
                }
            } catch {
                // Not durable: keep the proposal in flight so the votes are collected again.
                sequencer = try Sequencer(configuration: sequencer.configuration, state: before)
                throw error
            }
            logger.info("committed", metadata: ["height": "\(certified.block.height)", "hash": "\(certified.block.hash.short)"])
        case let .flagged(voter, error):
            logger.warning("flagged vote", metadata: ["voter": "\(voter)", "error": "\(error)"])
        case .recorded, .ignored:
            break
        }
        return outcome
    }

    public func committedBlock(height: UInt64) async throws -> CertifiedBlock? {
        try await store.committedBlock(height: height)
    }

    public func health() async throws -> GatewayHealth {
        GatewayHealth(status: "ok", committedHeight: sequencer.head.height, pendingHeight: sequencer.pending?.height,
                      queuedEntries: try await store.queuedCount())
    }

    /// Runs `body` when no other proposal or vote is being handled.
    private func inTurn<T>(_ body: () async throws -> T) async throws -> T {
        await turns.enter()
        do {
            let result = try await body()
            await turns.leave()
            return result
        } catch {
            await turns.leave()
            throw error
        }
    }

    /// Replaces the in-memory sequencer with the stored state if they differ; true if replaced.
    private func adoptStoredState() async throws -> Bool {
        guard let stored = try await store.sequencerState(), stored != sequencer.state else { return false }
        try adopt(stored)
        return true
    }

    private func adopt(_ stored: SequencerState) throws {
        sequencer = try Sequencer(configuration: sequencer.configuration, state: stored)
        logger.info("adopted the stored sequencer state", metadata: ["head": "\(stored.head)", "pending": "\(stored.pending.map { "\($0.height) \($0.hash.short)" } ?? "none")"])
    }
}
