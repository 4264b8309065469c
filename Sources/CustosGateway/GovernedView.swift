import CustosClusterAPI
import CustosCore
import CustosGovernance
import CustosLedger
import CustosPolicy

/// The gateway's copy of the governed state, advanced with every committed block. The gateway
/// uses it to answer the API and to keep entries out of blocks that every node would refuse as a
/// whole (undecodable ones); nodes never trust it — each applies the blocks to its own copy.
struct GovernedView: Sendable {
    private(set) var state: GovernanceState
    private(set) var height: UInt64 = 0

    init(genesis: GovernanceState) { state = genesis }

    mutating func apply(_ block: Block) {
        precondition(block.height == height + 1, "blocks are applied in height order")
        state.apply(block)
        height = block.height
    }

    /// What the committed state would do with `entry` now (one trial application).
    func outcome(of entry: Entry, at time: UInt64) -> GovernanceOutcome {
        state.applying(entry, blockTime: time).1
    }

    /// Why every node would refuse a block carrying `entry` whatever the state, nil if it may
    /// go into a block. Such an entry is refused at submission and dropped at proposal.
    func inadmissible(_ entry: Entry, at time: UInt64) -> String? {
        Self.inadmissibility(of: outcome(of: entry, at: time))
    }

    static func inadmissibility(of outcome: GovernanceOutcome) -> String? {
        guard case .refused(let error) = outcome, error.code == .malformed else { return nil }
        return error.reason
    }

    /// The client's early answer: what the committed state would do with the entry now.
    static func preview(of outcome: GovernanceOutcome) -> String? {
        switch outcome {
        case .notGovernance: return nil
        case .applied(let id, let status): return "applies: operation \(id) would be \(status.rawValue)"
        case .requestDecided(let id, let outcome): return "applies: request \(id) would be decided \(outcome.rawValue)"
        case .refused(let error): return "refused: \(error.code): \(error.reason)"
        }
    }

    var snapshot: GovernanceSnapshot { GovernanceSnapshot(state, height: height) }
}
