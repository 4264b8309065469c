import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosNode
import CustosState
import Foundation
import GRDB
import Logging

extension NodeChainStore {
    /// The governed state at the committed head: from the persisted state that `database`'s
    /// seal vouches for, when there is one, then the committed blocks above it; otherwise from
    /// genesis through every committed block (the archive's included). Blocks are read a page
    /// at a time. It must land on the digest recorded for the head (a mismatch means the store
    /// was altered). Every block replayed is checked as a live commit checks it: it follows the
    /// block before (block 1 the genesis) and its certificate is of the voting members of the
    /// state before it. With `anchor`, a committed chain whose block at the anchor's height has
    /// another hash is refused, naming the height.
    ///
    /// A persisted state that does not verify (another version's, altered, unsealed, its
    /// binding unreadable) is logged and not used: the chain is replayed instead, which needs the
    /// archive when blocks were pruned. When its seal still vouches for it (a state of other
    /// rules, after an upgrade), the height and block hash it was sealed under anchor that
    /// replay as a trust anchor does: a store rewritten with another history, even one
    /// certified by keys of members since retired, is refused. The row lives in this store, so
    /// whoever deletes or alters it drops the anchor too; `anchor` is what holds then.
    public func committedState(
        _ configuration: ClusterConfiguration, anchor: TrustAnchor? = nil, sealedBy database: NodeDatabase? = nil, logger: Logger? = nil
    ) throws -> ReplicatedState {
        var state = try configuration.genesisState()
        // The head this node's seal vouched for when it persisted a state.
        var sealed: (height: UInt64, hash: [UInt8])? = nil
        if let database {
            do {
                if let persisted = try verifiedPersistedState(sealedBy: database) {
                    sealed = (persisted.height, persisted.blockHash)
                    let restored = try persisted.state()
                    guard restored.genesisDigest == state.genesisDigest, restored.clusterName == state.clusterName else {
                        throw PersistedStateError(.snapshotRefused, "the persisted state is of another cluster")
                    }
                    state = restored
                    logger?.info("restarting from the persisted state", metadata: ["height": "\(restored.height)"])
                }
            } catch {
                // Whatever is wrong with it (another version's, altered, its binding unreadable),
                // the chain below decides: replayed from genesis.
                state = try configuration.genesisState()
                logger?.warning("not restarting from the persisted state: replaying the chain", metadata: ["reason": "\(error)"])
            }
        }
        if let anchor, anchor.height <= state.height {
            guard let hash = try blockHash(at: anchor.height) else {
                throw ClusterAPIError(.untrustedHistory, "the committed chain is refused: block \(anchor.height), which the trust anchor names, is not in the store or its archive")
            }
            if let refusal = anchor.refusal(of: hash) {
                throw ClusterAPIError(.untrustedHistory, "the committed chain is refused: \(refusal)")
            }
        }
        // Every block is checked as the live node commits it (`ChainHead.extended`): the next
        // height, following the one before (block 1 the genesis), not earlier than it, and
        // certified by the voting members of the state before it. A tail written into the store
        // by someone without the members' keys is refused.
        var head = state.height == 0 ? ChainHead.genesis(configuration)
            : ChainHead(height: state.height, hash: try LedgerHash(bytes: state.blockHash), timestamp: state.time)
        var certifying = (members: state.members, configuration: try configuration.reconfigured(members: state.members))
        while true {
            let page = try blocks(after: state.height, limit: 256)
            guard !page.isEmpty else { break }
            for certified in page {
                if state.members != certifying.members {
                    certifying = (state.members, try configuration.reconfigured(members: state.members))
                }
                switch head.extended(by: certified, in: certifying.configuration) {
                case .failure(let refusal):
                    throw ClusterAPIError(.stateMismatch, "block \(certified.block.height) is refused on replay after height \(state.height): \(refusal)")
                case .success(let next):
                    head = next
                }
                if let anchor, certified.block.height == anchor.height, let refusal = anchor.refusal(of: certified.block.hash) {
                    throw ClusterAPIError(.untrustedHistory, "the committed chain is refused: \(refusal)")
                }
                if let sealed, certified.block.height == sealed.height, certified.block.hash.bytes != sealed.hash {
                    throw ClusterAPIError(.untrustedHistory, "the committed chain is refused: block \(sealed.height) is not the one this node's seal vouched for at that height")
                }
                state.apply(certified.block)
            }
        }
        if let sealed, sealed.height > state.height {
            throw ClusterAPIError(.untrustedHistory, "the committed chain is refused: it ends at height \(state.height), below block \(sealed.height), which this node's seal vouched for")
        }
        if let recorded = try latestStateDigest(), recorded.height != state.height || recorded.digest != state.digest {
            throw ClusterAPIError(.stateMismatch, "the governed state replayed to height \(recorded.height) does not match the digest recorded there")
        }
        return state
    }

    /// The digest recorded for the highest committed height, nil before the first block.
    func latestStateDigest() throws -> (height: UInt64, digest: [UInt8])? {
        try writer.read { db in try Self.digestRows(db, sql: "SELECT height, digest FROM stateDigest ORDER BY height DESC LIMIT 1").first }
    }
}
