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
/// A local freeze halts from the moment it is on record; the node then checks the officer's
/// assertion against its own committed state, drops (and logs) a freeze that does not verify,
/// and lifts a verified one when the quorum unfreezes in the log above the freeze's height.
public final class SigningHalt: Service, Sendable {
    private let database: NodeDatabase
    private let node: String
    private let logger: Logger
    private let refresh: Duration
    private let halts: Mutex<[SigningHaltRecord]>
    /// The committed state local freezes are checked against, and the evidence already checked.
    private let checking = Mutex<(state: ReplicatedState?, verified: Set<[UInt8]>)>((nil, []))

    public init(database: NodeDatabase, node: String, logger: Logger, refresh: Duration = .milliseconds(250)) throws {
        self.database = database
        self.node = node
        self.logger = logger
        self.refresh = refresh
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
    /// lifts a local freeze recorded below `height` when `unfroze` (the block executed an
    /// unfreeze the quorum approved).
    func committed(_ state: ReplicatedState, height: UInt64, unfroze: Bool) throws {
        checking.withLock { $0.state = state }
        if unfroze, let freeze = records.first(where: { $0.cause == .localFreeze }), freeze.height < height {
            try database.liftHalt(.localFreeze)
            logger.notice("local freeze lifted: the quorum unfroze signing in the log", metadata: ["height": "\(height)"])
        }
        try reload()
    }

    /// Reads the records again (an operator may have lifted or added one), and checks every
    /// local freeze not checked yet.
    func reload() throws {
        var recorded = try database.signingHalts()
        for freeze in recorded where freeze.cause == .localFreeze {
            guard let refusal = check(freeze) else { continue }
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

    /// Why a local freeze is refused by the committed state; nil when it verifies, or while no
    /// state is known yet (it halts meanwhile).
    private func check(_ freeze: SigningHaltRecord) -> String? {
        checking.withLock { checking in
            guard let state = checking.state, !checking.verified.contains(freeze.evidence) else { return nil }
            do {
                let made = try JSONDecoder().decode(LocalFreeze.self, from: Data(freeze.evidence))
                try state.verify(made, node: node)
                checking.verified.insert(freeze.evidence)
                return nil
            } catch let error as GovernanceError {
                return error.reason
            } catch {
                return "the freeze record does not decode: \(error)"
            }
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
