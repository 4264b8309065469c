import CustosClusterAPI
import CustosGovernance
import CustosLedger
import Foundation
import Logging

/// The gateway's sequencing core: owns the `Sequencer` and its store. It proposes a block only
/// when entries are queued and no proposal is in flight, persists every proposal before
/// returning it, and persists every certified block before acknowledging the vote that
/// completed it. Trusted for liveness only: nodes check everything it hands them.
public actor Gateway {
    public static let maximumEntriesPerBlock = 1_000

    private var sequencer: Sequencer
    private var governed: GovernedView
    private let database: GatewayDatabase
    private let logger: Logger
    private let clock: @Sendable () -> UInt64
    /// TEST HOOK: nodes that are first shown a second, different block at the height in flight.
    private let unsafeEquivocateTo: Set<String>
    private var equivocatedTo: Set<String> = []

    public init(configuration: ClusterConfiguration, database: GatewayDatabase, logger: Logger,
                clock: @escaping @Sendable () -> UInt64 = Gateway.wallClock,
                unsafeEquivocateTo: Set<String> = []) throws {
        let state = try database.sequencerState() ?? .genesis(configuration)
        // The governed state replayed over the committed chain names the voting members as of the head.
        var view = GovernedView(genesis: try configuration.genesisState())
        var height: UInt64 = 1
        while height <= state.head.height, let certified = try database.committedBlock(height: height) {
            view.apply(certified.block)
            height += 1
        }
        let restored = try Sequencer(configuration: try configuration.reconfigured(members: view.state.members), state: state)
        sequencer = restored
        governed = view
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

    /// Queues an entry for the next block, unless every node would refuse a block carrying it;
    /// the receipt previews what the committed state would do with it.
    public func submit(_ entry: Entry) throws -> EntryReceipt {
        let now = clock()
        if let reason = governed.inadmissible(entry, at: now) { throw InadmissibleEntry(reason: reason) }
        return EntryReceipt(queued: try database.enqueue(entry), preview: governed.preview(entry, at: now))
    }

    /// The governed state as of the committed head.
    public var governance: GovernanceSnapshot { governed.snapshot }
    public var governanceState: GovernanceState { governed.state }

    /// The proposal a node at committed height `after` should vote on: the one in flight (the
    /// same block every time, also after a restart), or a new one from the queue, stored first.
    /// Nil when the node is behind (it must catch up by blocks first) or there is nothing to do.
    public func nextProposal(after height: UInt64, node: String? = nil) throws -> Block? {
        if let pending = sequencer.pending {
            // `height` comes from the client: no `+ 1` on it (UInt64.max would trap).
            guard pending.height - 1 == height else { return nil }
            return try equivocating(pending, node: node)
        }
        guard height == sequencer.head.height else { return nil }
        let queued = try database.queued(limit: Self.maximumEntriesPerBlock)
        guard !queued.isEmpty else { return nil }
        let now = clock()
        // An entry that became undecodable for the state (e.g. a policy change in between) would
        // make every node refuse the whole block: it is dropped from the queue instead.
        let admitted = queued.filter { item in
            guard let reason = governed.inadmissible(item.entry, at: now) else { return true }
            logger.warning("dropped an entry every node would refuse", metadata: ["queued": "\(item.id)", "reason": "\(reason)"])
            return false
        }
        guard !admitted.isEmpty else {
            try database.storeProposal(sequencer.state, consumed: queued.map(\.id))
            return nil
        }
        switch try sequencer.propose(entries: admitted.map(\.entry), now: now) {
        case let .persistProposalThenSend(block):
            try database.storeProposal(sequencer.state, consumed: queued.map(\.id))
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
            governed.apply(certified.block)
            if governed.state.members != sequencer.configuration.members {
                // Checked by the governed state as a configuration is; the next height votes with these.
                try sequencer.reconfigure(try sequencer.configuration.reconfigured(members: governed.state.members))
                logger.notice("voting members changed", metadata: ["members": "\(governed.state.members.map(\.id.rawValue))"])
            }
            logger.info("committed", metadata: ["height": "\(certified.block.height)", "hash": "\(certified.block.hash.short)"])
        case let .flagged(voter, error):
            logger.warning("flagged vote", metadata: ["voter": "\(voter)", "error": "\(error)"])
        case .recorded, .ignored:
            break
        }
        return outcome
    }

    /// Committed blocks from `height` on, at most `limit`, ascending.
    public func committedBlocks(from height: UInt64, limit: Int) throws -> [CertifiedBlock] {
        var blocks: [CertifiedBlock] = []
        var h = max(height, 1)
        while blocks.count < limit, h <= sequencer.head.height, let certified = try database.committedBlock(height: h) {
            blocks.append(certified)
            h += 1
        }
        return blocks
    }

    public func committedBlock(height: UInt64) throws -> CertifiedBlock? {
        try database.committedBlock(height: height)
    }

    public func health() throws -> GatewayHealth {
        GatewayHealth(status: "ok", committedHeight: sequencer.head.height, pendingHeight: sequencer.pending?.height,
                      queuedEntries: try database.queuedCount())
    }
}

/// An entry every node would refuse a block for (it does not decode): refused at submission.
public struct InadmissibleEntry: Error, Sendable {
    public let reason: String
}
