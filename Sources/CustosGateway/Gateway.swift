import CustosChainsRPC
import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosState
import Foundation
import Logging
import ServiceLifecycle

/// The gateway's sequencing core: owns the `Sequencer` and its store. It proposes a block only
/// when entries are queued and no proposal is in flight, persists every proposal before
/// returning it, and persists every certified block before acknowledging the vote that
/// completed it. Trusted for liveness only: nodes check everything it hands them.
///
/// It composes the pieces that do the rest, one job each: `SubmissionBatcher` writes submitted
/// entries to the queue together (group commit); `LongPollParking` holds the long polls — nodes
/// and clients may wait (bounded by `maximumWait`) for a proposal, a block or an entry's commit,
/// woken by the change they wait for, all released at graceful shutdown so the HTTP server can
/// drain; `SequencerAdoption` takes over the state another gateway stored, when several share one
/// store (sequencer writes are compare-and-swap: a gateway whose write loses adopts the stored
/// state and serves the stored proposal instead of its own); `GovernedView` is the committed
/// state at the committed height; `GatewayFaultInjection` is consulted where tests inject faults.
public actor Gateway: Service {
    public static let maximumEntriesPerBlock = 1_000
    /// The longest a request may be held open waiting for a change (the HTTP routes refuse a
    /// longer `wait`).
    public static let maximumWait: Duration = .seconds(25)
    /// The longest this gateway holds a wait: `maximumWait` unless its creator (a test whose
    /// process may be starved for longer) says otherwise.
    let longestWait: Duration

    private var sequencer: Sequencer
    private var governed: GovernedView
    let store: any GatewayStore
    /// Store reads and the writes that depend on them run one request at a time.
    private let turns = AsyncSerialQueue()
    private let submissions: SubmissionBatcher
    let parking: LongPollParking
    private let logger: Logger
    let clock: @Sendable () -> UInt64
    /// How much the MPC relay holds, and for how long.
    let relayLimits: RelayLimits
    /// The JSON-RPC endpoints the gateway reads balances from (`--rpc [ENVIRONMENT:]CHAIN=URL`),
    /// a vault's through those of its environment; what they say is labelled as the gateway's
    /// reading, never verified state.
    let chainEndpoints: ChainEndpoints
    private var faults: GatewayFaultInjection
    /// The faults armed at start, for the named points outside the actor (the console's).
    let armedFaults: GatewayFaultInjection
    /// The policy replays asked of this gateway: one at a time, answers kept.
    let replays = PolicyReplayDesk()
    /// The console's own desk for committed change-policy operations, so that askers of
    /// `POST /v1/policies/replay` cannot keep approvers' pages "busy" (review helper-92 M3).
    let consoleReplays = PolicyReplayDesk()
    /// The console's scans of the log (the activity page, its CSV) and its chain exports: one of
    /// each at a time.
    let activityScans = ConsoleWorkGate()
    let activityExports = ConsoleWorkGate()
    private var occupancy: QueueOccupancy
    /// The last block this gateway certified (stored before it is kept here): what every node
    /// asks for next, served without reading and decoding it from the store again.
    private var lastCertified: CertifiedBlock?

    /// `queueBounds` bound what this gateway keeps queued; `faults` are for tests only.
    public init(configuration: ClusterConfiguration, store: any GatewayStore, logger: Logger,
                clock: @escaping @Sendable () -> UInt64 = Gateway.wallClock,
                queueBounds: GatewayQueueBounds = .standard,
                relayLimits: RelayLimits = RelayLimits(),
                longestWait: Duration = Gateway.maximumWait,
                faults: GatewayFaultInjection = .none, chainEndpoints: ChainEndpoints = ChainEndpoints()) async throws {
        let state = try await store.sequencerState() ?? .genesis(configuration)
        // The governed state replayed over the committed chain names the voting members as of the head.
        let restored = try await SequencerAdoption.adopt(
            state, over: GovernedView(genesis: try configuration.genesisState()), configuration: configuration, store: store)
        sequencer = restored.sequencer
        governed = restored.view
        self.store = store
        let parking = LongPollParking()
        self.parking = parking
        submissions = SubmissionBatcher(write: { entries in try await store.enqueue(entries) }, written: { parking.wake(.proposals) })
        self.logger = logger
        self.clock = clock
        self.relayLimits = relayLimits
        self.chainEndpoints = chainEndpoints
        self.longestWait = longestWait
        self.faults = faults
        armedFaults = faults
        occupancy = QueueOccupancy(bounds: queueBounds)
        faults.announce(logger)
        if case let .resend(block)? = restored.sequencer.resume() {
            logger.info("resuming with the stored proposal", metadata: ["height": "\(block.height)", "hash": "\(block.hash.short)"])
        }
    }

    public static let wallClock: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }

    public var configuration: ClusterConfiguration { sequencer.configuration }

    /// Queues an entry for the next block; durable when this returns. Refused with an
    /// `AdmissionError`, and never queued: an entry every node would refuse a block for
    /// (`ReplicatedState.signer(of:)`: unknown kind, over its bound, undecodable, unsigned); one
    /// whose signature or assertion does not verify against the committed state, or whose signer
    /// was removed (so an honest gateway does not fill the log with refusals; a signer registered
    /// by a block not yet committed here is refused until it is); an air-gapped signing entry the
    /// committed state refuses (`AdmissionError(stale:kind:)`); and one beyond the queue's
    /// bounds (`GatewayQueueBounds`, per signer and in total). Entries submitted concurrently are
    /// written in one transaction (group commit: one fsync for all that arrived while the
    /// previous write ran). While a block is in flight they wait in the queue, and the next block
    /// carries them all (up to `maximumEntriesPerBlock`). The receipt names the entry (its
    /// digest, to ask when it committed) and previews what the committed state would do with it.
    public func submit(_ entry: Entry) async throws -> EntryReceipt {
        let signed = Result { () throws(GovernanceError) in try ReplicatedState.signer(of: entry) }
        if case .failure(let error) = signed, let refusal = faults.admitting(AdmissionError(malformed: error)) { throw refusal }
        let outcome = await Self.preview(of: entry, in: governed, at: faults.blockTime(clock()))
        if case .refused(let error) = outcome, let refusal = faults.admitting(AdmissionError(unauthenticated: error)) {
            throw refusal
        }
        if case .refused(let error) = outcome, let refusal = faults.admitting(AdmissionError(stale: error, kind: entry.kind)) {
            throw refusal
        }
        // A signer the entry does not name reaches here only through fault injection.
        let signer = (try? signed.get()) ?? EntrySigner(role: .member, id: "unnamed")
        try occupancy.reserve(for: signer)
        let queueID: Int64
        do { queueID = try await submissions.submit(entry) } catch {
            occupancy.cancel(for: signer)
            throw error
        }
        occupancy.queued(queueID, by: signer)
        return EntryReceipt(queued: queueID, entry: entry.digest.hex, preview: GovernedView.describe(outcome))
    }

    /// The preview, off the actor: it verifies signatures and evaluates policy, and sequencing
    /// need not wait for it.
    @concurrent private static func preview(of entry: Entry, in view: GovernedView, at time: UInt64) async -> GovernanceOutcome {
        view.preview(of: entry, at: time)
    }

    /// The governed state as of the committed head, as JSON (built once per height).
    public var governance: GovernanceSnapshot { governed.snapshot() }
    public var governanceState: ReplicatedState { governed.state }
    /// The committed state with its height, read together.
    var committed: (state: ReplicatedState, height: UInt64) { (governed.state, governed.height) }
    /// The committed entries the state refused, by height and index (`GovernedView.refusedEntries`).
    var refusedEntries: [UInt64: [Int: GovernanceError]] { governed.refusedEntries }
    /// Every key the committed state knows, with rotation status at the committed block time.
    public var inventory: KeyInventory { governed.state.inventory }

    /// The proposal a node at committed height `after` should vote on: the one in flight (the
    /// same block every time, also after a restart), or a new one from the queue, stored first.
    /// Nil when the node is behind (it must catch up by blocks first) or there is nothing to do.
    public func nextProposal(after height: UInt64, node: String? = nil) async throws -> Block? {
        try await proposal(after: height, node: node)?.block
    }

    /// The proposal a node at committed height `after` should vote on, with its round and the
    /// round-change certificate that justifies it (see `nextProposal(after:node:)`).
    public func proposal(after height: UInt64, node: String? = nil) async throws -> Proposal? {
        try await inTurn {
            if let proposal = try await serveOrPropose(after: height, node: node) { return proposal }
            // Nothing here: another gateway sharing the store may have moved on. Adopt and look again.
            guard try await adoptStoredState() else { return nil }
            return try await serveOrPropose(after: height, node: node)
        }
    }

    /// The proposal in flight as served to `node` (test faults may change its block).
    private func serving(to node: String?) throws -> Proposal? {
        guard let proposal = sequencer.proposal else { return nil }
        let block = try faults.serving(proposal.block, to: node, from: sequencer, logger: logger)
        return Proposal(block: block, round: proposal.round, justification: proposal.justification)
    }

    private func serveOrPropose(after height: UInt64, node: String?) async throws -> Proposal? {
        if let pending = sequencer.pending {
            // `height` comes from the client: no `+ 1` on it (UInt64.max would trap).
            guard pending.height - 1 == height else { return nil }
            return try serving(to: node)
        }
        guard height == sequencer.head.height else { return nil }
        let queued = try await store.queued(limit: Self.maximumEntriesPerBlock)
        guard !queued.isEmpty else { return nil }
        let now = faults.blockTime(clock())
        // An entry that does not decode (queued by another gateway sharing the store, say) would
        // make every node refuse the whole block: it is dropped from the queue instead.
        let admitted = queued.filter { item in
            guard let reason = faults.admitting(ReplicatedState.malformation(of: item.entry)?.reason) else { return true }
            logger.warning("dropped an entry every node would refuse", metadata: ["queued": "\(item.id)", "reason": "\(reason.printable(limit: 512))"])
            return false
        }
        guard !admitted.isEmpty else {
            // Drops the entries only: the stored state stays as it is (compare-and-swap too).
            if case let .conflict(stored) = try await store.storeProposal(sequencer.state, consumed: queued.map(\.id)) {
                try await adopt(stored)
            } else {
                occupancy.consumed(queued.map(\.id), oldestStillQueued: queued[queued.count - 1].id + 1)
            }
            return nil
        }
        // As many as fit in one block (count and bytes); the rest wait for the next one.
        let carried = admitted.prefix(Block.fittingPrefix(of: admitted.map(\.entry)))
        let admittedIDs = Set(admitted.map(\.id))
        let consumed = carried.map(\.id) + queued.map(\.id).filter { !admittedIDs.contains($0) }
        let before = sequencer.state
        switch try sequencer.propose(entries: carried.map(\.entry), now: now) {
        case let .persistProposalThenSend(block):
            let write: GatewayStoreWrite
            do { write = try await store.storeProposal(sequencer.state, consumed: consumed) } catch {
                // Not durable: never serve it.
                sequencer = try Sequencer(configuration: sequencer.configuration, state: before)
                throw error
            }
            if case let .conflict(stored) = write {
                // Another gateway stored its proposal first: serve that one, never ours.
                try await adopt(stored)
                guard let pending = sequencer.pending, pending.height == height + 1 else { return nil }
                return try serving(to: node)
            }
            let consumedIDs = Set(consumed)
            occupancy.consumed(consumed, oldestStillQueued: queued.first { !consumedIDs.contains($0.id) }?.id ?? queued[queued.count - 1].id + 1)
            logger.info("proposed", metadata: ["height": "\(block.height)", "entries": "\(block.entries.count)"])
            parking.wake(.proposals)
            return try serving(to: node)
        case .resend:
            return try serving(to: node)
        }
    }

    /// `nextProposal(after:node:)`, waiting up to `wait` for one when the node is level with the
    /// committed head and there is nothing to vote on yet. Returns nil at once when the node is
    /// not level with the gateway's head (it must catch up first), and nil after the wait.
    public func nextProposal(after height: UInt64, node: String? = nil, wait: Duration) async throws -> Block? {
        try await proposal(after: height, node: node, wait: wait)?.block
    }

    /// `proposal(after:node:)`, waiting up to `wait` as `nextProposal(after:node:wait:)` does.
    public func proposal(after height: UInt64, node: String? = nil, wait: Duration) async throws -> Proposal? {
        let deadline = ContinuousClock.now + min(wait, longestWait)
        while true {
            let seen = parking.wakeCount
            if let proposal = try await proposal(after: height, node: node) { return proposal }
            guard height == sequencer.head.height, !parking.isClosed, !Task.isCancelled, ContinuousClock.now < deadline else { return nil }
            await parking.park(on: .proposals, until: deadline, unlessWokenSince: seen)
        }
    }

    /// Counts a vote; a completed certificate is stored before this returns.
    public func receive(_ vote: Vote) async throws -> VoteOutcome {
        try await inTurn {
            if vote.height > sequencer.head.height, vote.height != sequencer.pending?.height || vote.round > sequencer.state.round {
                // For a proposal this gateway has not seen: another gateway sharing the store may have made it.
                _ = try await adoptStoredState()
            }
            return try await counting(vote)
        }
    }

    private func counting(_ vote: Vote) async throws -> VoteOutcome {
        let before = sequencer.state
        let outcome = sequencer.receive(vote)
        switch outcome {
        case let .certified(certified):
            do {
                if case let .conflict(stored) = try await store.storeCommitted(certified, state: sequencer.state) {
                    // Another gateway moved the sequencer: adopt its state; ours is not stored.
                    sequencer = try Sequencer(configuration: sequencer.configuration, state: before)
                    try await adopt(stored)
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
            lastCertified = certified
            governed.apply(certified.block)
            if governed.state.members != sequencer.configuration.members {
                // Checked by the governed state as a configuration is; the next height votes with these.
                try sequencer.reconfigure(try sequencer.configuration.reconfigured(members: governed.state.members))
                logger.notice("voting members changed", metadata: ["members": "\(governed.state.members.map(\.id.rawValue))"])
            }
            logger.info("committed", metadata: ["height": "\(certified.block.height)", "hash": "\(certified.block.hash.short)"])
            parking.wake(.block(certified.block.height))
            parking.wakeEntries(of: certified.block)
            parking.wake(.proposals)
        case let .flagged(voter, error):
            logger.warning("flagged vote", metadata: ["voter": "\(voter)", "error": "\(error)"])
        case .recorded, .ignored:
            break
        }
        return outcome
    }

    /// Counts a round change; a proposal in the next round that the round changes justify is
    /// stored before this returns, and the nodes waiting on this height are woken to fetch it.
    public func receive(_ change: RoundChange) async throws -> RoundChangeOutcome {
        try await inTurn {
            if change.height > sequencer.head.height, change.height != sequencer.pending?.height || change.round > sequencer.state.round {
                // Another gateway sharing the store may have moved on to this round.
                _ = try await adoptStoredState()
            }
            let before = sequencer.state
            let outcome = try sequencer.receive(change, now: faults.blockTime(clock()))
            switch outcome {
            case let .proposed(proposal):
                let write: GatewayStoreWrite
                do { write = try await store.storeProposal(sequencer.state, consumed: []) } catch {
                    // Not durable: never serve it; the round changes are gathered again.
                    sequencer = try Sequencer(configuration: sequencer.configuration, state: before)
                    throw error
                }
                if case let .conflict(stored) = write {
                    try await adopt(stored)
                    return .ignored(reason: "another gateway sharing the store moved on from round \(before.round)")
                }
                logger.notice("proposed in a new round", metadata: [
                    "height": "\(proposal.block.height)", "round": "\(proposal.round)", "hash": "\(proposal.block.hash.short)",
                    "same block": "\(before.pending == proposal.block)"])
                parking.wake(.proposals)
                parking.wake(.block(proposal.block.height))
            case let .flagged(voter, error):
                logger.warning("flagged round change", metadata: ["voter": "\(voter)", "error": "\(error)"])
            case .recorded, .ignored:
                break
            }
            return outcome
        }
    }

    /// Committed blocks from `height` on, at most `limit`, ascending.
    public func committedBlocks(from height: UInt64, limit: Int) async throws -> [CertifiedBlock] {
        try await store.committedBlocks(from: max(height, 1), limit: limit)
    }

    public func committedBlock(height: UInt64) async throws -> CertifiedBlock? {
        if let lastCertified, lastCertified.block.height == height { return lastCertified }
        return try await store.committedBlock(height: height)
    }

    /// The certified block at `height`, waiting up to `wait` for it to be certified; nil at
    /// once when a new round starts at that height (the waiting node has a proposal to see).
    public func committedBlock(height: UInt64, wait: Duration) async throws -> CertifiedBlock? {
        let deadline = ContinuousClock.now + min(wait, longestWait)
        let round = sequencer.state.round
        while true {
            let seen = parking.wakeCount
            if height <= sequencer.head.height, let certified = try await committedBlock(height: height) { return certified }
            let newRound = sequencer.pending?.height == height && sequencer.state.round != round
            guard !newRound, !parking.isClosed, !Task.isCancelled, ContinuousClock.now < deadline else { return nil }
            await parking.park(on: .block(height), until: deadline, unlessWokenSince: seen)
        }
    }

    /// The certificate of the block `vote` is for, waiting up to `wait` for it to be certified;
    /// nil at once when another block commits at that height or a new round starts there (the
    /// voter has something else to see), and nil after the wait. What a node that voted asks
    /// for instead of the whole block it holds already.
    public func certificate(for vote: Vote, wait: Duration) async throws -> QuorumCertificate? {
        guard let certified = try await committedBlock(height: vote.height, wait: wait), certified.block.hash == vote.blockHash else { return nil }
        return certified.certificate
    }

    /// Where the entry with `digest` committed (the first time, if byte-identical entries were
    /// submitted more than once), waiting up to `wait` for it; nil if it has not committed.
    public func committedEntry(_ digest: LedgerHash, wait: Duration = .zero) async throws -> CommittedEntry? {
        let deadline = ContinuousClock.now + min(wait, longestWait)
        while true {
            let seen = parking.wakeCount
            if let found = try await store.committedEntry(digest: digest) { return found }
            guard !parking.isClosed, !Task.isCancelled, ContinuousClock.now < deadline else { return nil }
            await parking.park(on: .entry(digest), until: deadline, unlessWokenSince: seen)
        }
    }

    /// Requests parked in long polls right now.
    public var waitingRequests: Int { parking.count }

    /// Runs until graceful shutdown, then releases every parked request and parks no more.
    public func run() async throws {
        try? await gracefulShutdown()
        shutdown()
    }

    /// Releases every parked request (each answers "nothing yet"); later waits return at once.
    public func shutdown() {
        parking.close()
    }

    public func health() async throws -> GatewayHealth {
        GatewayHealth(status: "ok", committedHeight: sequencer.head.height, pendingHeight: sequencer.pending?.height,
                      pendingRound: sequencer.pending.map { _ in sequencer.state.round }, queuedEntries: try await store.queuedCount())
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
        try await adopt(stored)
        return true
    }

    /// Takes the stored state (another gateway's) as this gateway's, and wakes the requests
    /// parked on this gateway for what the other gateway did.
    private func adopt(_ stored: SequencerState) async throws {
        let previousHeight = governed.height
        (sequencer, governed) = try await SequencerAdoption.adopt(
            stored, over: governed, configuration: sequencer.configuration, store: store)
        for height in (previousHeight + 1)...max(previousHeight + 1, stored.head.height) where height <= stored.head.height {
            parking.wake(.block(height))
        }
        if stored.head.height > previousHeight { parking.wakeAllEntries() }
        parking.wake(.proposals)
        logger.info("adopted the stored sequencer state", metadata: ["head": "\(stored.head)", "pending": "\(stored.pending.map { "\($0.height) \($0.hash.short)" } ?? "none")"])
    }
}

