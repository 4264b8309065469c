import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import CustosMPC
import CustosNode
import CustosSigning
import CustosState
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A signer node's vault work, as a `Service`: its part in every key ceremony the committed log
/// starts (`VaultService+KeyCeremonies.swift`) and every refresh (`VaultService+Refresh.swift`),
/// and its FROST nonce pools and signature shares
/// for the requests the log assigns it (`VaultService+Signing.swift`). Driven by the committed
/// state (each state `LogFollower` commits) and by the node's relay inbox, never by what the
/// gateway says: every message it sends is signed with its identity key and encrypted to its
/// recipient's transport key, every entry it makes is signed, and an entry not yet in the
/// committed state is submitted again after `resubmitAfter`.
public actor VaultService: Service {
    /// A relay session the committed log started, and what it is for.
    enum Session: Hashable, Sendable {
        case ceremony(vault: String, epoch: UInt32)
        /// A signing attempt, by the height its session started at as well: a fee bump opens a
        /// new session for the same request at attempt 0, and a node that never saw the old one
        /// end must not take its progress (a share already posted) for the new one's (review
        /// helper-96 M1).
        case signing(request: String, attempt: UInt32, height: UInt64)
        case presign(vault: String, epoch: UInt32, batch: UInt32)
        /// A refresh taking a vault's shares to `epoch`.
        case refresh(vault: String, epoch: UInt32)
    }

    /// This node's progress in one key ceremony.
    struct Ceremony {
        var party: KeyGenerationParty?
        /// Sealed shares not yet accepted by the relay.
        var outgoing: [(recipient: NodeID, envelope: [UInt8])]?
        var posted = false
        var warned = false
    }

    /// This node's progress in one signing attempt.
    struct Attempt {
        var outgoing: [(recipient: NodeID, envelope: [UInt8])]?
        var posted = false
        /// This node's own share.
        var share: [UInt8]?
        var refused = false
        /// When the combined signature was first asked for (as it was combined, once every share
        /// was here): a signer other than the first submits it `resubmitAfter` later.
        var complete: ContinuousClock.Instant?
        /// The signature combined from the first complete set of shares (it verified under the
        /// vault's key then; every node verifies the entry again), kept so it is combined once
        /// however often the attempt is looked at before it commits.
        var signature: [UInt8]?
        /// The blame that set of shares led to instead (a peer's share did not verify), kept alike.
        var blame: VaultEntry?
        /// ECDSA: what combining and blaming need of the presignature signing consumed.
        var presignPublic: ThresholdECDSA.PresignaturePublicData?
        var transcript: [UInt8]?
    }

    let identity: NodeIdentity
    let environment: NodeEnvironment
    let database: NodeDatabase
    let gateway: GatewayClient
    let relay: RelayClient
    let logger: Logger
    let softwareVersion: String
    let resubmitAfter: Duration
    let longPollWait: Duration
    let poolDepth: Int
    let faults: NodeFaultInjection
    /// While it holds a halt, this node releases no key material (see `releaseHalted`).
    let halt: SigningHalt?
    /// Milliseconds since the Unix epoch, to see a deadline in block time go by.
    let clock: @Sendable () -> UInt64
    /// How long past a deadline (by this node's clock) it says so with a `vault.timeout` entry.
    static let deadlineGrace: UInt64 = 1000
    /// The relay sessions under way in the committed state, for the inbox opener.
    let sessions = StartedSessions()
    private let updates: AsyncStream<ReplicatedState>
    private let updatesContinuation: AsyncStream<ReplicatedState>.Continuation
    var state: ReplicatedState?
    var ceremonies: [Session: Ceremony] = [:]
    var attempts: [Session: Attempt] = [:]
    /// This node's progress in each refresh under way (`VaultService+Refresh.swift`).
    var refreshes: [Session: RefreshWork] = [:]
    /// What peers sent in each session, by sender: written only by `receive`, so a step that
    /// waits on the network never writes back an older copy of it.
    var inbox: [Session: [NodeID: SignedEnvelope.Evidence]] = [:]
    /// Presigning messages, by batch, presigning round (1–3) and sender.
    var presignInbox: [Session: [UInt16: [NodeID: SignedEnvelope.Evidence]]] = [:]
    /// This node's presigning batches under way.
    var presigns: [Session: PresignWork] = [:]
    /// Batches under way in the first state this process adopted: it takes no part in them.
    var batchesAtStart: Set<Session> = []
    var sweptStoredPresignatures = false
    /// Authentic messages for sessions this node's committed state has not started yet (it may
    /// be a block behind its peers): opened again at every commit, the oldest dropped beyond
    /// `maximumDeferred`.
    private var deferred: [RelayInboxMessage] = []
    static let maximumDeferred = 512
    /// Set while `advance` runs: one step at a time, however many events ask for one.
    private var advancing = false
    private var advanceAgain = false
    /// Entries this node made, by kind and subject, with when each was last submitted.
    var submitted: [String: (entry: Entry, at: ContinuousClock.Instant)] = [:]
    private var submittedPruned = ContinuousClock.now
    /// Requests the `signAnything` fault already signed.
    var signedAnyway: Set<String> = []
    /// Whether the store may hold kept signature shares (`SecretKind.signatureShare`) of attempts
    /// that have ended: true at start and after each share kept, false once a sweep found none.
    var mayHoldKeptShares = true
    /// The nonce batch this node submitted per vault and not yet seen committed.
    var pendingBatch: [String: UInt32] = [:]
    private var cursor: Int64 = 0
    /// What happened since start, for health and metrics.
    public internal(set) var counters = VaultCounters()

    /// `poolDepth` is how many FROST nonce commitments this node keeps in each vault's pool;
    /// while `halt` holds a halt, nothing is released.
    public init(identity: NodeIdentity, environment: NodeEnvironment,
                database: NodeDatabase, gateway: GatewayClient, relay: RelayClient, logger: Logger,
                softwareVersion: String = CustosVersion.current, resubmitAfter: Duration = .seconds(5),
                longPollWait: Duration = .seconds(20), poolDepth: Int = 16, faults: NodeFaultInjection = .none,
                halt: SigningHalt? = nil, clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }) {
        self.identity = identity
        self.environment = environment
        self.database = database
        self.gateway = gateway
        self.relay = relay
        self.logger = logger
        self.softwareVersion = softwareVersion
        self.resubmitAfter = resubmitAfter
        self.longPollWait = longPollWait
        self.poolDepth = poolDepth
        self.faults = faults
        self.halt = halt
        self.clock = clock
        (updates, updatesContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Counters and, per vault, how many nonce commitments of this node's wait unassigned in the
    /// committed pool, as Prometheus text.
    public func prometheusText() -> String {
        var text = counters.prometheusText
        text += "# HELP custos_node_vault_pool_depth Unassigned FROST nonce commitments or ECDSA presignatures of this node in the vault's committed pool.\n"
        text += "# TYPE custos_node_vault_pool_depth gauge\n"
        for vault in (state?.vaults.values ?? [:].values).sorted(by: { $0.id < $1.id })
        where vault.status == .active && vault.index(of: identity.id) != nil {
            let depth = vault.scheme == .ecdsaSecp256k1 ? vault.presignatures.filter { $0.signers.contains(identity.id) }.count
                : vault.nonces[identity.id]?.count ?? 0
            text += "custos_node_vault_pool_depth{vault=\"\(vault.id)\"} \(depth)\n"
        }
        return text
    }

    /// Hands over a newly committed state (only the newest one waiting is kept).
    public nonisolated func committed(_ state: ReplicatedState) { updatesContinuation.yield(state) }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.followCommits() }
                group.addTask { await self.pollInbox() }
                group.addTask { await self.tick() }
                await group.waitForAll()
            }
        }
    }

    private func followCommits() async {
        for await next in updates {
            if Task.isCancelled { return }
            adopt(next)
            await advance()
        }
    }

    private func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: resubmitAfter)
            await advance()
        }
    }

    private func pollInbox() async {
        while !Task.isCancelled {
            guard let members = state?.members, !members.isEmpty else {
                try? await Task.sleep(for: .milliseconds(200))
                continue
            }
            do {
                let inbox = try await relay.inbox(after: cursor, wait: longPollWait)
                let opener = opener(members)
                for message in inbox.messages {
                    let delivery = opener.open(message)
                    if case .ignored = delivery {
                        deferred.append(message)
                        if deferred.count > Self.maximumDeferred { deferred.removeFirst(deferred.count - Self.maximumDeferred) }
                    }
                    receive(delivery)
                }
                cursor = max(cursor, inbox.next)
                if !inbox.messages.isEmpty { await advance() }
            } catch {
                if Task.isCancelled { return }
                logger.warning("relay inbox poll failed; retrying", metadata: ["error": "\("\(error)".printable(limit: 512))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func opener(_ members: [Member]) -> RelayInboxOpener {
        let sessions = self.sessions
        return RelayInboxOpener(transportKey: identity.transportKey, members: members, isStartedSession: { id in sessions[id] != nil })
    }

    /// Files a delivered envelope under its session; refusals are logged with the sender named.
    private func receive(_ delivery: RelayDelivery) {
        switch delivery {
        case .delivered(let sender, let evidence):
            if case .presign(let vault, _, let number) = sessions[evidence.header.sessionID],
               VaultEntry.presignRounds.contains(evidence.header.round) {
                let signers = state?.vaults[vault]?.presignBatches.first { $0.number == number }?.signers ?? []
                guard evidence.plaintext.count <= VaultEntry.maximumPresignPlaintext, signers.contains(sender.id) else {
                    counters.messagesRefused += 1
                    logger.warning("refused a presigning message that is too large or not from a signer of its batch",
                                   metadata: ["sender": "\(sender.id)"])
                    return
                }
                // The first message of a sender in a round is the one kept: a second, different one
                // cannot replace what this node may already have answered.
                let key = sessions[evidence.header.sessionID]!
                let round = evidence.header.round - VaultEntry.presignRounds.lowerBound + 1
                if presignInbox[key]?[round]?[sender.id] == nil { presignInbox[key, default: [:]][round, default: [:]][sender.id] = evidence }
                return
            }
            guard evidence.plaintext.count <= VaultEntry.maximumEvidencePlaintext else {
                counters.messagesRefused += 1
                logger.warning("refused a share message too large to show as evidence", metadata: ["sender": "\(sender.id)"])
                return
            }
            switch sessions[evidence.header.sessionID] {
            case .ceremony(let vault, let epoch) where evidence.header.round == VaultEntry.shareRound:
                inbox[.ceremony(vault: vault, epoch: epoch), default: [:]][sender.id] = evidence
            case .refresh(let vault, let epoch) where evidence.header.round == VaultEntry.shareRound:
                inbox[.refresh(vault: vault, epoch: epoch), default: [:]][sender.id] = evidence
            case .signing(let request, let attempt, let height) where evidence.header.round == VaultEntry.signatureShareRound:
                // Kept whatever it holds: a share that is not one for this attempt and node is
                // blamed with this very envelope.
                inbox[.signing(request: request, attempt: attempt, height: height), default: [:]][sender.id] = evidence
            default:
                counters.messagesRefused += 1
                logger.warning("refused a relay message in the wrong round", metadata: ["sender": "\(sender.id)"])
            }
        case .refused(let sender, let reason):
            counters.messagesRefused += 1
            logger.warning("refused a relay message", metadata: ["sender": "\(sender?.rawValue ?? "unknown")",
                                                                 "reason": "\(reason.printable(limit: 512))"])
        case .ignored(let sender, _):
            counters.messagesIgnored += 1
            logger.debug("ignored a relay message for a session the log did not start", metadata: ["sender": "\(sender.id)"])
        }
    }

    /// Takes a new committed state: the sessions it started, and forgetting what ended.
    private func adopt(_ next: ReplicatedState) {
        if state == nil {
            for vault in next.vaults.values {
                for b in vault.presignBatches { batchesAtStart.insert(.presign(vault: vault.id, epoch: vault.epoch, batch: b.number)) }
            }
        }
        if let previous = state { dropSuperseded(previous, next) }
        // At start, and whenever a vault appears or changes epoch: a share below its vault's
        // epoch goes, however it got here (a node down through a refresh, a restored backup).
        if state.map({ previous in next.vaults.contains { previous.vaults[$0.key]?.epoch != $0.value.epoch } }) ?? true {
            do {
                let dropped = try database.deleteSupersededVaultShares(current: next.vaults.mapValues { UInt64($0.epoch) })
                for share in dropped {
                    logger.notice("deleted a vault share its vault's key epoch superseded", metadata: ["vault": "\(share.vault)", "epoch": "\(share.epoch)"])
                }
            } catch {
                logger.warning("deleting superseded vault shares failed", metadata: ["error": "\("\(error)".printable(limit: 512))"])
            }
        }
        state = next
        var started: [[UInt8]: Session] = [:]
        for vault in next.vaults.values where vault.status == .generating {
            started[vault.ceremony.sessionID(genesisDigest: next.genesisDigest, vault: vault.id)] = .ceremony(vault: vault.id, epoch: vault.epoch)
        }
        for s in next.signing.open where s.status == .signing {
            started[next.signingSessionID(s)] = .signing(request: s.requestId, attempt: s.attempt, height: s.startedHeight)
        }
        for vault in next.vaults.values where vault.status == .active {
            if let r = vault.runningRefresh {
                started[r.sessionID(genesisDigest: next.genesisDigest, vault: vault.id)] = .refresh(vault: vault.id, epoch: r.epoch)
            }
            for b in vault.presignBatches {
                started[next.presignSessionID(vault: vault, batch: b.number, signers: b.signers, startedHeight: b.startedHeight)] =
                    .presign(vault: vault.id, epoch: vault.epoch, batch: b.number)
            }
        }
        sessions.replace(with: started)
        if !deferred.isEmpty {
            let opener = opener(next.members)
            var still: [RelayInboxMessage] = []
            for message in deferred {
                let delivery = opener.open(message)
                if case .ignored = delivery { still.append(message) } else { receive(delivery) }
            }
            deferred = still
        }
        let live = Set(started.values)
        forgetCeremonies(ended: ceremonies.keys.filter { !live.contains($0) }, in: next)
        for key in attempts.keys where !live.contains(key) { attempts[key] = nil }
        forgetRefreshes(ended: refreshes.keys.filter { !live.contains($0) }, in: next)
        for key in inbox.keys where !live.contains(key) { inbox[key] = nil }
        // Pruned now and then, not at every commit: the map holds every entry of the last 15 minutes.
        if ContinuousClock.now - submittedPruned >= .seconds(10) {
            submitted = submitted.filter { ContinuousClock.now - $0.value.at < .seconds(900) }
            submittedPruned = .now
        }
    }

    /// Takes every step the committed state and the inbox allow.
    private func advance() async {
        if advancing {
            advanceAgain = true
            return
        }
        advancing = true
        defer { advancing = false }
        repeat {
            advanceAgain = false
            guard let state, !releaseHalted else { return }
            await advanceCeremonies(in: state)
            await advanceRefreshes(in: state)
            await advancePresigning(in: state)
            await advanceSigning(in: state)
            await signAnyway(in: state)
        } while advanceAgain
    }

    /// Signs and submits an entry this node made; submits it again after `resubmitAfter` while
    /// the same entry is asked for (the committed state does not show it yet).
    func submit(_ entry: VaultEntry, subject: String, state: ReplicatedState) async throws {
        guard !releaseHalted, let signed = try await made(entry, subject: subject, state: state) else { return }
        try await gateway.submit(signed.entry)
    }

    /// Submits several entries this node made, as `submit(_:subject:state:)` does each, at the
    /// same time: the gateway writes entries that arrive together in one transaction.
    func submit(_ entries: [(entry: VaultEntry, subject: String)], state: ReplicatedState) async {
        guard !releaseHalted else { return }
        var fresh: [(key: String, entry: Entry)] = []
        for (entry, subject) in entries {
            do { if let signed = try await made(entry, subject: subject, state: state) { fresh.append(signed) } } catch {
                logger.error("submitting an entry failed", metadata: ["entry": "\(entry.kind) \(subject.printable(limit: 200))",
                                                                      "error": "\("\(error)".printable(limit: 512))"])
            }
        }
        let gateway = self.gateway
        let logger = self.logger
        await withTaskGroup(of: Void.self) { group in
            for (key, entry) in fresh {
                group.addTask {
                    do { _ = try await gateway.submit(entry) } catch {
                        logger.error("submitting an entry failed", metadata: ["entry": "\(key.printable(limit: 200))", "error": "\("\(error)".printable(limit: 512))"])
                    }
                }
            }
        }
    }

    /// The entry to send for `entry` the first time it is asked for, signed and kept under its
    /// key ("kind subject") in `submitted`; nil when it was made before (then it is submitted
    /// again here if `resubmitAfter` has passed).
    private func made(_ entry: VaultEntry, subject: String, state: ReplicatedState) async throws -> (key: String, entry: Entry)? {
        let key = entry.kind + " " + subject
        if submitted[key] != nil {
            try await resubmitIfDue(key)
            return nil
        }
        let signed = try entry.entry(signedBy: identity, genesisDigest: state.genesisDigest)
        submitted[key] = (signed, .now)
        return (key, signed)
    }

    /// Submits the entry made under `key` ("kind subject") again if `resubmitAfter` has passed.
    func resubmitIfDue(_ key: String) async throws {
        guard let made = submitted[key], ContinuousClock.now - made.at >= resubmitAfter else { return }
        submitted[key] = (made.entry, .now)
        logger.notice("submitting an entry again: not committed yet", metadata: ["entry": "\(key.printable(limit: 200))"])
        try await gateway.submit(made.entry)
    }

    /// Seals `messages` for their recipients in relay session `session`, round `round`.
    func seal(_ messages: [NodeID: VaultShareMessage], session: [UInt8], round: UInt16, state: ReplicatedState) throws
        -> [(recipient: NodeID, envelope: [UInt8])] {
        try seal(messages.mapValues(\.encoded), session: session, round: round, state: state)
    }

    /// Seals each plaintext for its recipient (this node's own is skipped) in relay session
    /// `session`, round `round`: signed with the identity key, encrypted to the transport key.
    func seal(_ plaintexts: [NodeID: [UInt8]], session: [UInt8], round: UInt16, state: ReplicatedState) throws
        -> [(recipient: NodeID, envelope: [UInt8])] {
        var sealed: [(recipient: NodeID, envelope: [UInt8])] = []
        for (peer, plaintext) in plaintexts.sorted(by: { $0.key < $1.key }) where peer != identity.id {
            guard let member = state.members.first(where: { $0.id == peer }) else { continue }
            let header = try SignedEnvelope.Header(sessionID: session, round: round, sender: identity.publicKeyBytes,
                                                   recipient: member.transportKeyBytes)
            sealed.append((peer, try identity.seal(plaintext, header: header)))
        }
        return sealed
    }

    /// True while signing is halted: no step runs, and a step already under way posts and
    /// submits nothing (it is held, and goes out after an operator lifts the halt).
    var releaseHalted: Bool { halt?.isHalted ?? false }

    /// Posts sealed envelopes; false while the relay is busy or signing is halted (the caller
    /// posts again later).
    func post(_ envelopes: [(recipient: NodeID, envelope: [UInt8])], what: String) async throws -> Bool {
        guard !envelopes.isEmpty else { return true }
        guard !releaseHalted else { return false }
        switch try await relay.post(envelopes) {
        case .stored:
            counters.messagesSent += envelopes.count
            return true
        case .busy(let retryAfter, let detail):
            logger.notice("the relay is busy; posting again later",
                          metadata: ["what": "\(what)", "retry after": "\(retryAfter)", "detail": "\(detail.printable(limit: 256))"])
            return false
        }
    }
}

/// The relay sessions the committed state started, by session id: written by `VaultService` at
/// every commit, read by the inbox opener's check.
final class StartedSessions: Sendable {
    private let map = Mutex<[[UInt8]: VaultService.Session]>([:])

    subscript(id: [UInt8]) -> VaultService.Session? { map.withLock { $0[id] } }

    func replace(with sessions: [[UInt8]: VaultService.Session]) { map.withLock { $0 = sessions } }
}
