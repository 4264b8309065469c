import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosPolicy
import CustosState

/// The gateway's copy of the governed state at its committed height, advanced once per committed
/// block. The gateway uses it to answer the API (the JSON view is built once per height) and to
/// preview what a submitted entry would do; nodes never trust it — each applies the blocks to its
/// own copy.
struct GovernedView: Sendable {
    private(set) var state: ReplicatedState
    private(set) var height: UInt64 = 0
    /// The JSON view of `state`, once built at this height.
    private var cachedSnapshot: GovernanceSnapshot?

    init(genesis: ReplicatedState) { state = genesis }

    mutating func apply(_ block: Block) {
        precondition(block.height == height + 1, "blocks are applied in height order")
        state.apply(block)
        height = block.height
        cachedSnapshot = nil
    }

    /// Why every node would refuse a block carrying `entry` whatever the state, nil if it may
    /// go into a block. Such an entry is refused at submission and dropped at proposal. Reads the
    /// entry alone: no trial application.
    static func inadmissibility(of entry: Entry) -> String? {
        ReplicatedState.malformation(of: entry)?.reason
    }

    /// The client's early answer: what the committed state would do with `entry` at `time`
    /// (`ReplicatedState.outcome(of:blockTime:)`), nil for an entry that is not the state's.
    func preview(of entry: Entry, at time: UInt64) -> String? {
        switch state.outcome(of: entry, blockTime: time) {
        case .notGovernance: return nil
        case .applied(let id, let status): return "applies: operation \(id) would be \(status.rawValue)"
        case .requestDecided(let id, let outcome): return "applies: request \(id) would be decided \(outcome.rawValue)"
        case .vault(let id, let status): return "applies: vault \(id) would be \(status.rawValue)"
        case .signed(let id): return "applies: the signature of request \(id) would be recorded"
        case .refused(let error): return "refused: \(error.code): \(error.reason)"
        }
    }

    /// The JSON view at `height`, built on the first call after each block.
    mutating func snapshot() -> GovernanceSnapshot {
        if let cachedSnapshot { return cachedSnapshot }
        let built = GovernanceSnapshot(state, height: height)
        cachedSnapshot = built
        return built
    }
}
