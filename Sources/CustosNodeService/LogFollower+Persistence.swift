import CustosClusterAPI
import CustosNode
import CustosState
import Foundation
import Logging

/// How often a node persists its whole state (`PersistedState`) to restart from, and how many
/// committed blocks it keeps in its working store below that state (older ones move to the
/// archive: `NodeChainStore.prune(through:)`).
public struct StatePersistence: Sendable {
    /// Persist once the head is this many blocks above the state last persisted…
    public var everyBlocks: UInt64
    /// …or once this long passed since, if the head moved at all.
    public var interval: Duration
    /// Blocks kept in the working store below the persisted state; nil keeps them all there.
    public var keepBlocks: UInt64?

    public init(everyBlocks: UInt64 = 10_000, interval: Duration = .seconds(60), keepBlocks: UInt64? = nil) {
        self.everyBlocks = everyBlocks
        self.interval = interval
        self.keepBlocks = keepBlocks
    }
}

extension LogFollower {
    /// Persists `state` (the committed head's) in the background when it is due, one at a time:
    /// encoded off the actor, its binding sealed by the node's seal, the row replaced; then
    /// older blocks pruned to the archive if `persistence.keepBlocks` says so. A node opened
    /// without a seal (tools, some tests) persists nothing and replays its chain at start.
    func persistIfDue(_ state: ReplicatedState) {
        guard !persisting, votes.environment != nil, state.height > persistedHeight else { return }
        guard state.height - persistedHeight >= persistence.everyBlocks || ContinuousClock.now - persistedAt >= persistence.interval else { return }
        persisting = true
        let chain = chain, votes = votes, logger = logger, keep = persistence.keepBlocks
        Task.detached(priority: .utility) { [self] in
            let started = ContinuousClock.now
            do {
                let persisted = try PersistedState(state)
                try chain.persist(persisted, sealedBy: votes)
                logger.info("persisted the state to restart from", metadata: [
                    "height": "\(persisted.height)", "bytes": "\(persisted.encoded.count)", "took": "\(ContinuousClock.now - started)"])
                await self.persisted(height: persisted.height)
                if let keep, persisted.height > keep {
                    do {
                        let pruned = try chain.prune(through: persisted.height - keep)
                        if pruned > 0 { logger.info("pruned blocks to the archive", metadata: ["blocks": "\(pruned)", "through": "\(persisted.height - keep)"]) }
                    } catch {
                        logger.error("pruning blocks to the archive failed; they stay in the working store",
                                     metadata: ["archive": "\(chain.archivePath)", "error": "\(error)"])
                    }
                }
            } catch {
                logger.warning("persisting the state failed; a restart replays the chain from the last state persisted",
                               metadata: ["height": "\(state.height)", "error": "\(error)"])
                await self.persisted(height: nil)
            }
        }
    }

    private func persisted(height: UInt64?) {
        if let height { persistedHeight = height }
        persistedAt = .now
        persisting = false
    }
}
