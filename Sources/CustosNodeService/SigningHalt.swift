import CustosCore
import CustosNode
import CustosState
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Whether this node may release key material now, shared by its services: the halts on record
/// in its `NodeDatabase` (the truth, durable across restarts), mirrored in memory for the
/// signing path's one check. As a `Service` it reads the records again every `refresh`, so an
/// operator's `custos node resume` or an officer's `custos node freeze` on the node's host takes
/// effect without a restart.
///
/// A local freeze halts from the moment it is on record. One not yet verified (`custos node
/// freeze` verifies it when it records it) is checked against the node's committed state and
/// clock (`ReplicatedState.verify(_:node:now:)`): dropped and logged if it does not verify or was
/// lifted before (a freeze counts once), recorded as verified if it does. A verified freeze is
/// never checked again — an officer removed later does not lift it — and is lifted only when a
/// block above the freeze's height executes an unfreeze the quorum approved that was proposed
/// after the freeze was made.
public final class SigningHalt: Service, Sendable {
    private let database: NodeDatabase
    private let node: String
    private let logger: Logger
    private let refresh: Duration
    private let halts: Mutex<[SigningHaltRecord]>
    /// The committed state local freezes are checked against.
    private let checking = Mutex<ReplicatedState?>(nil)
    /// Milliseconds since the Unix epoch: when a freeze is taken, it must be recent.
    private let clock: @Sendable () -> UInt64

    public init(database: NodeDatabase, node: String, logger: Logger, refresh: Duration = .milliseconds(250),
                clock: @escaping @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }) throws {
        self.database = database
        self.node = node
        self.logger = logger
        self.refresh = refresh
        self.clock = clock
        let recorded = try database.signingHalts()
        halts = Mutex(recorded)
        for halt in recorded {
            logger.critical("signing is halted", metadata: ["cause": "\(halt.cause.rawValue)", "reason": "\(halt.reason.printable(limit: 512))"])
        }
    }

    /// True while any halt is on record: release nothing.
    public var isHalted: Bool { halts.withLock { !$0.isEmpty } }

    /// The halts on record, by cause.
    public var records: [SigningHaltRecord] { halts.withLock { $0 } }

    /// Records `halt` durably, then halts. Idempotent per cause (the first evidence is kept).
    public func halt(_ halt: SigningHaltRecord) throws {
        try database.record(halt: halt)
        let first = halts.withLock { current in
            guard !current.contains(where: { $0.cause == halt.cause }) else { return false }
            current.append(halt)
            return true
        }
        if first { announce(halt) }
    }

    private func announce(_ halt: SigningHaltRecord) {
        logger.critical("signing halted: this node releases no key material until it is lifted",
                        metadata: ["cause": "\(halt.cause.rawValue)", "reason": "\(halt.reason.printable(limit: 512))"])
    }

    /// Takes the node's newly committed state at `height`: checks local freezes against it, and
    /// lifts a local freeze recorded below `height` when the block executed an unfreeze the
    /// quorum approved that was proposed (block time, `unfreezesProposedAt`) after the freeze
    /// was made; an unfreeze proposed before it was made does not lift it.
    func committed(_ state: ReplicatedState, height: UInt64, unfreezesProposedAt: [UInt64]) throws {
        checking.withLock { $0 = state }
        if let freeze = records.first(where: { $0.cause == .localFreeze }), freeze.height < height,
           unfreezesProposedAt.contains(where: { $0 > freeze.since }) {
            if let made = try? JSONDecoder().decode(LocalFreeze.self, from: Data(freeze.evidence)) {
                try database.liftLocalFreeze(made.digest(genesisDigest: state.genesisDigest))
            } else {
                try database.liftHalt(.localFreeze)
            }
            logger.notice("local freeze lifted: the quorum unfroze signing in the log", metadata: ["height": "\(height)"])
        }
        try reload()
    }

    /// Reads the records again (an operator may have lifted or added one), and checks every
    /// local freeze not verified yet.
    func reload() throws {
        var recorded = try database.signingHalts()
        for freeze in recorded where freeze.cause == .localFreeze {
            guard let refusal = try check(freeze) else { continue }
            try database.liftHalt(.localFreeze)
            recorded.removeAll { $0.cause == .localFreeze }
            logger.error("refused a local freeze", metadata: ["reason": "\(refusal.printable(limit: 512))"])
        }
        let (added, lifted) = halts.withLock { current in
            defer { current = recorded }
            return (recorded.filter { new in !current.contains { $0.cause == new.cause } },
                    current.filter { old in !recorded.contains { $0.cause == old.cause } })
        }
        for halt in added { announce(halt) }
        for halt in lifted { logger.notice("signing halt lifted", metadata: ["cause": "\(halt.cause.rawValue)"]) }
    }

    /// Why a local freeze is refused: it was lifted before, or (not verified yet) the committed
    /// state and the clock refuse it. Nil when it is verified (recorded so), while no state is
    /// known yet, or when this version cannot read the record (one an earlier version took):
    /// those halt, until the quorum unfreezes.
    private func check(_ freeze: SigningHaltRecord) throws -> String? {
        guard let state = checking.withLock({ $0 }),
              let made = try? JSONDecoder().decode(LocalFreeze.self, from: Data(freeze.evidence)) else { return nil }
        let digest = made.digest(genesisDigest: state.genesisDigest)
        switch try database.localFreezeUse(digest) {
        case .verified?:
            return nil
        case .lifted?:
            return "this freeze was lifted by the quorum before; a freeze counts once"
        case nil:
            do { try state.verify(made, node: node, now: clock()) } catch { return error.reason }
            try database.markVerified(freeze: digest)
            return nil
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: self.refresh)
                do { try self.reload() } catch {
                    self.logger.warning("reading signing halts failed", metadata: ["error": "\("\(error)".printable(limit: 512))"])
                }
            }
        }
    }
}
