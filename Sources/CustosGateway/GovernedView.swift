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

    /// The entries of the newest `keptRefusalHeights` blocks that the state refused (every node
    /// refuses them alike: a forged approval, a request from nobody), by height then index in
    /// the block, with why: the activity view shows them as refused, not as the acts of those
    /// they name.
    private(set) var refusedEntries: [UInt64: [Int: GovernanceError]] = [:]
    static let keptRefusalHeights: UInt64 = 5_000

    mutating func apply(_ block: Block) {
        precondition(block.height == height + 1, "blocks are applied in height order")
        let outcomes = state.apply(block)
        height = block.height
        cachedSnapshot = nil
        var refused: [Int: GovernanceError] = [:]
        for (index, outcome) in outcomes.enumerated() { if case .refused(let error) = outcome { refused[index] = error } }
        if !refused.isEmpty { refusedEntries[height] = refused }
        if height > Self.keptRefusalHeights { refusedEntries[height - Self.keptRefusalHeights] = nil }
    }

    /// What the committed state would do with `entry` at `time`
    /// (`ReplicatedState.outcome(of:blockTime:)`); the state is not changed.
    func preview(of entry: Entry, at time: UInt64) -> GovernanceOutcome {
        state.outcome(of: entry, blockTime: time)
    }

    /// The client's early answer: a preview in words.
    static func describe(_ outcome: GovernanceOutcome) -> String {
        switch outcome {
        case .applied(let id, let status): return "applies: operation \(id) would be \(status.rawValue)"
        case .requestDecided(let id, let outcome): return "applies: request \(id) would be decided \(outcome.rawValue)"
        case .requestApprovals(let id, let status): return "applies: request \(id) would be \(status.rawValue)"
        case .requestBatchApprovals(let ids, let statuses):
            return "applies: " + zip(ids, statuses).map { "request \($0) would be \($1.rawValue)" }.joined(separator: "; ")
        case .transactionParameters(let id, let nonce): return "applies: request \(id) would be signed at nonce \(nonce)"
        case .simulated(let id, let outcome): return "applies: the simulation of request \(id) (\(outcome.rawValue)) would be recorded"
        case .mined(let id, let succeeded): return "applies: the receipt of request \(id) (\(succeeded ? "mined" : "mined-reverted")) would be recorded"
        case .receiptChecked(let id, let agrees, let verdict):
            return "applies: a node's check of the receipt of request \(id) (\(agrees ? "agrees" : "disagrees")) would be recorded"
                + (verdict.map { ", and the receipt \($0.rawValue)" } ?? "")
        case .deploymentChecked(let id, let matches, let verdict):
            return "applies: a node's reading of the deployment of request \(id) (\(matches ? "matches" : "differs")) would be recorded"
                + (verdict.map { ", and the deployment \($0.rawValue)" } ?? "")
        case .vault(let id, let status): return "applies: vault \(id) would be \(status.rawValue)"
        case .signed(let id): return "applies: the signature of request \(id) would be recorded"
        case .priced(let asset, let source): return "applies: the price of \(asset) from \(source) would be kept"
        case .watched(let chain, let block, let flagged): return "applies: the report of \(chain) up to block \(block) would be kept, flagging \(flagged) address\(flagged == 1 ? "" : "es")"
        case .nodeRestored(let member, _): return "applies: \(member) would vote again above the height this entry commits at"
        case .offlineAttested(let id, let attempt, let member):
            return "applies: \(member)'s attestation of attempt \(attempt) of request \(id) would be recorded"
        case .offlineAnswered(let id, let attempt, let valid):
            return valid ? "applies: the offline signer's answer to attempt \(attempt) of request \(id) would be taken"
                : "applies: the offline signer's share for attempt \(attempt) of request \(id) does not verify: the attempt would end"
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
