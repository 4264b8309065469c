import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosNode
import CustosState
import Foundation
import Logging
import ServiceLifecycle

/// One signer node's log participation as a `Service`: it long-polls the gateway (outbound only)
/// for the next proposal, checks it with `NodeConsensus`, records its vote in `NodeDatabase`
/// (which refuses a second vote in a round, and a vote in a round given up) before sending it,
/// waits with the vote for that block's certificate (fetching a whole certified block only when
/// the certificate does not come with the vote's answer), and appends every certified block to its
/// `NodeChainStore`; when it is behind it catches up by certified blocks. A round that does not
/// commit within `roundTimeout` of this node first seeing it, or whose proposal this node refuses
/// for good (too old, an entry refused, an unjustified round, an equivocation), is given up: the
/// round change is recorded before it is sent, and sent again while that round is still in
/// flight (`NodeConsensus`, "Rounds"). Bounded waits only, a short back-off after errors; stops
/// on graceful shutdown (cancelling the request in progress).
///
/// Every entry of a proposal is checked against the node's own committed governed state (users,
/// credentials, policy, operations): an undecodable governance entry makes the node refuse the
/// block; a well-formed one that the rules refuse (a forged approval, say) commits, and every node
/// records the same refusal with its reason. A block's entries run through the transition once:
/// the state computed while validating the block it voted for becomes the committed state when
/// that block is certified; any other certified block (after an equivocation, or caught up) is
/// applied at commit.
///
/// It signs nothing but its votes; signing shares is `CustosSigning`'s, and every committed
/// state goes to `onCommit` for the services that act on it (key ceremonies).
public actor LogFollower: Service {
    var consensus: NodeConsensus
    /// The governed state after the committed head.
    var governance: ReplicatedState
    /// The state the block this node voted for led to while it was checked, with what each entry
    /// did, by that block's hash and the digest of the committed state it started from; used at
    /// that block's commit only if both still match, and dropped at every commit.
    private var validated: (block: LedgerHash, parent: [UInt8], state: ReplicatedState, outcomes: [GovernanceOutcome])?
    /// What happened since start, for health and metrics.
    private var counters = NodeCounters()
    /// The last refusal logged, so a proposal polled again is not logged again.
    private var lastRefusal: ProposalRefusal?
    /// The round in flight this node last saw (height, round) and when it first saw it.
    private var roundSeen: (height: UInt64, round: UInt32, since: ContinuousClock.Instant)?
    /// How long a round may stay in flight before this node gives it up.
    private let roundTimeout: Duration
    let votes: NodeDatabase
    let chain: NodeChainStore
    let gateway: GatewayClient
    let logger: Logger
    private let longPollWait: Duration
    private let backOff: Duration
    private let faults: NodeFaultInjection
    /// Told every committed state, the one at start included (the node's key ceremonies).
    private let onCommit: @Sendable (ReplicatedState) -> Void
    /// When the JSON view of the committed state (`GovernanceSnapshot`, for `custos node status`)
    /// was last stored, and whether the head has moved since. Building it costs more than the
    /// rest of a block, so under load it is stored with a block at most every
    /// `snapshotInterval`, and otherwise once the node has been quiet for `snapshotQuiet`.
    private var snapshotStored: ContinuousClock.Instant?
    private var snapshotBehind = false
    private var lastCommit = ContinuousClock.now
    static let snapshotInterval: Duration = .milliseconds(250)
    static let snapshotQuiet: Duration = .milliseconds(100)
    /// Where this node records proof of gateway equivocation, which halts its signing.
    let halt: SigningHalt?
    /// The block the operator trusts (given now or at an earlier start), nil if none.
    let trustAnchor: TrustAnchor?
    /// The hashes of the blocks from `from` up to the trust anchor, each learned from the one
    /// above it, down from the anchor: while the head is below the anchor, a block is committed
    /// only if it is the one pinned at its height.
    var pinned: (from: UInt64, hashes: [LedgerHash])?
    /// Set when this node was restored from a backup (`NodeDatabase.markRestored`): it votes only
    /// above the height its own `node.restored` entry committed at (`LogFollower+Restoration`).
    var restoration: NodeDatabase.Restoration?
    /// The height at which a `node.restored` entry in this node's name but not of its own
    /// restore committed: its identity runs elsewhere, and it votes no more (`haltRestoredElsewhere`).
    var restoredElsewhere: UInt64?
    /// When this node last submitted its `node.restored` entry, until it commits.
    var restorationAnnounced: ContinuousClock.Instant?
    /// The other members' voting records about this node's restore, last adopted
    /// (`adopt(votingRecords:)`): for the listing of its round changes where its original may
    /// have voted (`restorationListing`).
    var votingRecords: [VotingRecordStatement] = []
    /// Whether the operator trusted the stating members when those records were adopted (a
    /// floor from n − q + 1 statements instead of n − q + 1 + f: `RestorationFloor`).
    var votingRecordsTrusted = false
    /// When the whole state is persisted to restart from, and how many blocks stay in the
    /// working store below it (`LogFollower+Persistence`).
    let persistence: StatePersistence
    /// The height of the state last persisted (0 before any), when, and the persisting in flight.
    var persistedHeight: UInt64 = 0
    var persistedAt = ContinuousClock.now
    var persisting = false

    /// `longPollWait` bounds each long poll (the gateway caps it at 25 s); `backOff` is the pause
    /// after an error or an empty answer that came back at once; `faults` are for tests only.
    ///
    /// `halt` is told every proof of gateway equivocation this node finds (it then releases no
    /// key material until an operator acts; votes go on) and every committed state (to check
    /// and lift local freezes).
    ///
    /// `trustAnchor` (recorded in the chain store, replacing an earlier one; without it the
    /// recorded one holds) makes the node refuse any history whose block at the anchor's height
    /// has another hash: a committed chain that differs there is refused here, and while catching
    /// up to it the node commits no block the anchor does not vouch for.
    ///
    /// `roundTimeout` is how long a round may stay in flight before this node gives it up;
    /// `maximumBlockAge` (milliseconds) how old a proposed block's time may be.
    public init(configuration: ClusterConfiguration, identity: NodeIdentity, votes: NodeDatabase, chain: NodeChainStore,
                gateway: GatewayClient, logger: Logger,
                longPollWait: Duration = .seconds(20), backOff: Duration = .milliseconds(200),
                roundTimeout: Duration = LogFollower.defaultRoundTimeout,
                maximumBlockAge: UInt64 = NodeConsensus.defaultMaximumBlockAge,
                faults: NodeFaultInjection = .none, trustAnchor: TrustAnchor? = nil, halt: SigningHalt? = nil,
                persistence: StatePersistence = StatePersistence(),
                onCommit: @escaping @Sendable (ReplicatedState) -> Void = { _ in }) throws {
        if let trustAnchor { try chain.record(trustAnchor: trustAnchor) }
        let anchor = try trustAnchor ?? chain.trustAnchor()
        // The safety state is rebuilt from the two durable sources: the committed chain, and the
        // votes and the round given up at the height above it.
        let head = try chain.head(configuration)
        let next = head.height + 1
        let recorded = try votes.votes(at: next).map { vote in
            SafetyState.VotedBlock(height: next, round: vote.round, blockHash: try LedgerHash(bytes: vote.blockHash))
        }
        let abandoned = try votes.roundChange(at: next).map { SafetyState.AbandonedRound(height: next, round: $0.round) }
        // The governed state names the voting members as of the head: a node not (or no longer)
        // among them follows the chain without voting.
        let state = try chain.committedState(configuration, anchor: anchor, sealedBy: votes, logger: logger)
        governance = state
        self.persistence = persistence
        persistedHeight = try chain.persistedStateHeight() ?? 0
        consensus = try NodeConsensus(configuration: try configuration.reconfigured(members: state.members), identity: identity,
                                      safetyState: SafetyState(genesisDigest: configuration.genesisDigest, votes: recorded,
                                                               roundChange: abandoned, head: head),
                                      maximumBlockAge: maximumBlockAge, observer: true)
        self.votes = votes
        self.chain = chain
        self.gateway = gateway
        self.logger = logger
        self.longPollWait = longPollWait
        self.backOff = backOff
        self.roundTimeout = roundTimeout
        self.faults = faults
        self.onCommit = onCommit
        self.trustAnchor = anchor
        self.halt = halt
        restoration = try votes.restoration()
        restoredElsewhere = try votes.signingHalts().first { $0.cause == .restoredElsewhere }?.height
        faults.announce(logger)
    }

    public var head: ChainHead { consensus.head }

    public static let defaultRoundTimeout: Duration = .seconds(30)

    /// The node's health: its head, whether it votes, its state digest, event counters, and why
    /// it signs nothing if it is halted.
    public func health() -> NodeHealth {
        let inventory = governance.inventory
        return NodeHealth(node: consensus.identity.id.rawValue, committedHeight: consensus.head.height,
                          voter: consensus.isVoter && mayVote(at: consensus.head.height + 1, round: .max), members: consensus.configuration.members.map(\.id.rawValue),
                          stateDigest: governance.digest.hexString, frozen: governance.frozen, counters: counters,
                          signingHalts: (halt?.records ?? []).map { NodeHealth.Halt(cause: $0.cause.rawValue, height: $0.height, reason: $0.reason) },
                          keysOverdue: inventory.overdue.count, keysPastGrace: inventory.pastGrace.count,
                          alerts: Dictionary(uniqueKeysWithValues: Alert.Kind.allCases.map { ($0.rawValue, governance.alerts.counts[$0] ?? 0) }))
    }

    public func run() async throws {
        logger.info("node running", metadata: ["id": "\(consensus.identity.id)", "head": "\(consensus.head)"])
        try tellHalt(governance, height: consensus.head.height, outcomes: [])
        onCommit(governance)
        let snapshots = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.snapshotQuiet)
                self.storeSnapshotIfBehind(quietFor: Self.snapshotQuiet)
            }
        }
        defer {
            snapshots.cancel()
            storeSnapshotIfBehind(quietFor: .zero)
        }
        if let restoredElsewhere {
            logger.critical("\(SigningHaltRecord.restoredElsewhereReason(height: restoredElsewhere))")
        } else if !consensus.isVoter {
            logger.warning("this node is not among the voting members; it follows the chain without voting",
                           metadata: ["members": "\(consensus.configuration.members.map(\.id.rawValue))"])
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.step()
                } catch is CancellationError {
                    break
                } catch {
                    if Task.isCancelled { break }
                    self.logger.warning("step failed; retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: self.backOff)
                }
            }
        }
        logger.info("node stopped", metadata: ["head": "\(consensus.head)"])
    }

    /// One round: wait for the proposal at the next height, vote on it if the rules allow, then
    /// wait for that height's certified block (by this vote or others) and apply it; give the
    /// round up when it has been in flight too long or its proposal is refused for good. When
    /// no proposal comes (the wait ended, or this node is behind the gateway), catch up instead.
    func step() async throws {
        await announceRestorationIfDue()
        let head = consensus.head.height
        // Below the trust anchor there is nothing to vote on: only the anchored history to catch up.
        let belowAnchor = trustAnchor.map { head < $0.height } ?? false
        guard !belowAnchor, let proposal = try await gateway.proposal(after: head, wait: longPollWait) else {
            try await catchUp()
            // An empty answer that came back at once (shutdown, a gateway behind this node): no spinning.
            if consensus.head.height == head { try await Task.sleep(for: backOff) }
            return
        }
        let block = proposal.block
        if roundSeen.map({ $0.height != block.height || $0.round != proposal.round }) ?? true {
            roundSeen = (block.height, proposal.round, .now)
        }
        var gaveUp = false
        // The vote's answer came back without a certificate before its wait was over: another
        // block committed at this height or a new round started there, for the next step to see.
        var answeredEarly = false
        let deadline = (roundSeen?.since ?? .now) + roundTimeout
        switch try decide(proposal, now: faults.blockTime(UInt64(Date().timeIntervalSince1970 * 1000))) {
        case let .vote(vote):
            faults.voteRecorded(height: block.height, logger: logger)
            // The gateway answers the vote with the certificate once the block is certified: the
            // block itself is not fetched again.
            let wait = max(.zero, min(longPollWait, deadline - .now))
            let sent = ContinuousClock.now
            let receipt = try await gateway.send(vote: vote, wait: wait)
            logger.debug("voted", metadata: ["height": "\(block.height)", "round": "\(proposal.round)", "outcome": "\(receipt.outcome)"])
            if try commitVoted(block, receipt: receipt) { return }
            answeredEarly = wait > .zero && ContinuousClock.now - sent < wait
        case .giveUp:
            try await abandon(proposal.round)
            gaveUp = true
        case .wait:
            break
        }
        if !gaveUp, ContinuousClock.now >= deadline {
            try await abandon(proposal.round)
            gaveUp = true
        }
        // A round given up is waited on for a whole long poll: the gateway ends it early when it
        // moves to the next round or the height commits.
        try await catchUp(waitingUpTo: gaveUp ? longPollWait : answeredEarly ? .zero : min(longPollWait, deadline - .now))
        // An early answer that moved nothing (a gateway that does not wait on votes): no spinning
        // on proposal, vote and answer while the quorum forms (review helper-114 M1).
        if answeredEarly, consensus.head.height == head { try await Task.sleep(for: backOff) }
    }

    /// Checks a proposal and, if this node votes for it, records the vote durably and returns the
    /// bytes to send. Otherwise says whether to give the round up: after a refusal that holds for
    /// good for this proposal, or an equivocation alert. The block it votes for keeps the state
    /// its entries led to while they were checked, for its commit.
    func decide(_ proposal: Proposal, now: UInt64) throws -> ProposalDecision {
        let block = proposal.block
        // A restored node below its floor does not even decide: its consensus state would hold a
        // vote it never cast.
        guard mayVote(at: block.height, round: proposal.round) else {
            if lastRefusal != .notAMember(height: block.height) {
                lastRefusal = .notAMember(height: block.height)
                let why = restoredElsewhere.map(SigningHaltRecord.restoredElsewhereReason(height:))
                    ?? "restored from a backup, and its original may have voted here"
                logger.notice("not voting: \(why)",
                              metadata: ["height": "\(block.height)", "round": "\(proposal.round)",
                                         "floor": "\(restoration?.floor.map(String.init) ?? "none yet")"])
            }
            return .wait
        }
        var validator = StateEntryValidator(committed: governance, mode: .recordRefusals)
        switch consensus.receiveProposal(proposal, now: now, validator: &validator) {
        case let .persistVoteThenSend(vote):
            if let applied = validator.applied(block) { validated = (block.hash, governance.digest, applied.state, applied.outcomes) }
            return try record(vote).map { .vote($0) } ?? .wait
        case let .refuse(refusal):
            if refusal != lastRefusal {
                counters.proposalsRefused += 1
                lastRefusal = refusal
                switch refusal {
                case .notAMember, .roundAbandoned: logger.debug("not voting", metadata: ["height": "\(block.height)", "reason": "\(refusal)"])
                default: logger.warning("refused a proposal", metadata: ["height": "\(block.height)", "round": "\(proposal.round)",
                                                                         "reason": "\("\(refusal)".printable(limit: 512))"])
                }
            }
            switch refusal {
            case .timestampBehind, .timestampBeforePrevious, .entryRejected, .unjustified, .tooManyBlocks: return .giveUp
            case .roundAbandoned: return .giveUp  // sent again: the gateway may have lost it
            default: return .wait
            }
        case let .alertEquivocation(alert):
            counters.equivocationAlerts += 1
            logger.critical("gateway equivocation", metadata: ["alert": "\(alert)"])
            try haltSigning(alert, conflicting: block)
            return .giveUp
        }
    }

    /// `decide(_:now:)` for a round-0 proposal: the vote bytes to send, nil for none.
    func decide(_ block: Block, now: UInt64) throws -> [UInt8]? {
        guard case let .vote(bytes) = try decide(Proposal(block: block), now: now) else { return nil }
        return bytes
    }

    /// Gives up `round` at the next height: the round change is recorded durably (the node
    /// votes in no round up to it there any more), then sent. Nothing for a non-voting node. A
    /// restored node gives up a round where its original may have voted only listing what the
    /// other members' round changes there allow (`restorationListing`).
    func abandon(_ round: UInt32) async throws {
        let height = consensus.head.height + 1
        if let recorded = try votes.roundChange(at: height), recorded.round >= round,
           let change = try? RoundChange(serialized: recorded.change), change.round == round {
            _ = try await gateway.send(roundChange: recorded.change)
            return
        }
        guard let listing = restorationListing(height: height, round: round) else { return }
        var candidate = consensus
        guard let change = candidate.abandon(round: round, alsoListing: listing) else { return }
        guard change.votedBlocks.count <= RoundChange.maximumVotedBlocks else {
            logger.warning("not giving up the round: it would list too many blocks", metadata: ["height": "\(height)", "round": "\(round)"])
            return
        }
        let stored = try votes.recordRoundChange(height: change.height, round: change.round, change: change.serialized,
                                                 restorationListing: restoration?.needsListing(at: height) ?? false)
        consensus = candidate
        counters.roundsAbandoned += 1
        logger.notice("gave up a round", metadata: ["height": "\(height)", "round": "\(round)",
                                                    "voted": "\(change.votedBlocks.map(\.short))"])
        let outcome = try await gateway.send(roundChange: stored)
        logger.debug("round change sent", metadata: ["height": "\(height)", "round": "\(round)", "outcome": "\(outcome)"])
    }

    /// Records the vote durably before it is sent; nil (and a critical log) if this node already
    /// voted for another block at that height — then nothing is sent.
    private func record(_ vote: Vote) throws -> [UInt8]? {
        let result = Result { () throws(StorageError) -> [UInt8] in
            try votes.recordVote(height: vote.height, round: vote.round, blockHash: vote.blockHash.bytes, vote: vote.serialized)
        }
        switch result {
        case let .success(stored):
            counters.votesRecorded += 1
            return stored
        case let .failure(error) where error.code == .restoredNotVoting:
            logger.notice("not voting", metadata: ["height": "\(vote.height)", "reason": "\(error.reason.printable(limit: 512))"])
            return nil
        case let .failure(error) where error.code == .conflictingVote:
            logger.critical("refusing a second vote in one round", metadata: ["height": "\(vote.height)", "error": "\(error.reason.printable(limit: 512))"])
            return nil
        case let .failure(error):
            throw error
        }
    }

    /// Fetches and applies certified blocks after the committed head until the gateway has none;
    /// the first fetch waits up to `wait` for the next height to be certified.
    func catchUp(waitingUpTo wait: Duration = .zero) async throws {
        try await pinAnchoredHistory()
        for round in 0..<10_000 {
            let next = consensus.head.height + 1
            guard let certified = try await gateway.certifiedBlock(height: next, wait: round == 0 ? wait : .zero) else { return }
            guard try commit(certified) else { return }
        }
    }

    /// Commits `block`, which this node voted for, with the certificate the gateway answered the
    /// vote with; true if the block is now the committed head. No certificate, one for another
    /// block, or one that does not decode or verify commits nothing: the node then fetches what
    /// was certified at that height as it does otherwise.
    func commitVoted(_ block: Block, receipt: VoteReceipt) throws -> Bool {
        let certificate: QuorumCertificate
        do {
            guard let decoded = try receipt.decodedCertificate() else { return false }
            certificate = decoded
        } catch {
            logger.warning("the gateway answered a vote with a malformed certificate", metadata: [
                "height": "\(block.height)", "error": "\("\(error)".printable(limit: 512))"])
            return false
        }
        guard certificate.height == block.height, certificate.blockHash == block.hash else { return false }
        return try commit(CertifiedBlock(block: block, certificate: certificate))
    }

    /// Checks a certified block that should be the next one and, if it is, makes it the committed
    /// head: its governed state (kept from validation, or the block applied now), recorded in the
    /// chain store with the state's digest. False (and an error log) if it is refused.
    func commit(_ certified: CertifiedBlock) throws -> Bool {
        let next = certified.block.height
        if let alert = consensus.equivocationEvidence(certified) {
            counters.equivocationAlerts += 1
            logger.critical("gateway equivocation seen at commit", metadata: ["alert": "\(alert)"])
            try haltSigning(alert, conflicting: certified.block)
        }
        if let refusal = anchoredRefusal(of: certified.block) {
            logger.error("refused a certified block", metadata: ["height": "\(next)", "reason": "\(refusal)"])
            return false
        }
        var candidate = consensus
        switch candidate.commit(certified) {
        case .apply:
            let (state, outcomes) = committedState(after: certified.block)
            if state.members != candidate.configuration.members {
                try candidate.reconfigure(try candidate.configuration.reconfigured(members: state.members))
                logger.notice("voting members changed", metadata: [
                    "height": "\(next)", "members": "\(state.members.map(\.id.rawValue))", "voter": "\(candidate.isVoter)"])
            }
            // Before the block is on record: a restart then fetches it again, and finds the floor set.
            try noteRestoration(outcomes, height: next)
            let storeSnapshot = snapshotStored.map { ContinuousClock.now - $0 >= Self.snapshotInterval } ?? true
            try chain.append(certified, stateDigest: state.digest, snapshot: storeSnapshot ? try Self.snapshot(state, height: next) : nil)
            if storeSnapshot { snapshotStored = .now }
            snapshotBehind = !storeSnapshot
            lastCommit = .now
            consensus = candidate
            governance = state
            validated = nil
            try tellHalt(state, height: next, outcomes: outcomes)
            if let anchor = trustAnchor, next >= anchor.height { pinned = nil }
            persistIfDue(state)
            onCommit(state)
            counters.blocksCommitted += 1
            for case let .refused(error) in outcomes {
                counters.entriesRefused += 1
                logger.warning("recorded a refused entry", metadata: ["height": "\(next)", "code": "\(error.code)",
                                                                   "reason": "\(error.reason.printable(limit: 512))"])
            }
            logger.info("committed", metadata: ["height": "\(next)", "hash": "\(certified.block.hash.short)",
                                                "entries": "\(certified.block.entries.count)"])
            return true
        case let .refuse(refusal):
            logger.error("refused a certified block", metadata: ["height": "\(next)", "reason": "\("\(refusal)".printable(limit: 512))"])
            return false
        }
    }

    /// The JSON view of `state` that `custos node status` shows.
    private static func snapshot(_ state: ReplicatedState, height: UInt64) throws -> Data {
        try JSONEncoder().encode(GovernanceSnapshot(state, height: height, recent: 100))
    }

    /// Stores the view of the committed head if the last one stored is older and no block has
    /// committed for `quietFor`, or the last one is `snapshotInterval` old.
    private func storeSnapshotIfBehind(quietFor: Duration) {
        let now = ContinuousClock.now
        guard snapshotBehind, now - lastCommit >= quietFor || snapshotStored.map({ now - $0 >= Self.snapshotInterval }) ?? true else { return }
        do {
            try chain.storeSnapshot(try Self.snapshot(governance, height: consensus.head.height), height: consensus.head.height)
            snapshotStored = now
            snapshotBehind = false
        } catch {
            logger.warning("storing the view of the committed state failed", metadata: ["error": "\(error)"])
        }
    }

    /// The governed state after `block` (the next one) and what each entry did: the state kept
    /// from validating that very block, or else the block applied to the committed state.
    private func committedState(after block: Block) -> (ReplicatedState, [GovernanceOutcome]) {
        if let validated, validated.block == block.hash, validated.parent == governance.digest {
            return (validated.state, validated.outcomes)
        }
        var state = governance
        let outcomes = state.apply(block)
        return (state, outcomes)
    }
}
