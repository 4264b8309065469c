import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosState

extension NodeChainStore {
    /// The governed state at the committed head, rebuilt from genesis by replaying the committed
    /// chain; it must land on the digest recorded for the head (a mismatch means the store was
    /// altered). With `anchor`, a committed chain whose block at the anchor's height has another
    /// hash is refused, naming the height.
    public func committedState(_ configuration: ClusterConfiguration, anchor: TrustAnchor? = nil) throws -> ReplicatedState {
        var state = try configuration.genesisState()
        for certified in try blocks() {
            if let anchor, certified.block.height == anchor.height, let refusal = anchor.refusal(of: certified.block.hash) {
                throw ClusterAPIError(.untrustedHistory, "the committed chain is refused: \(refusal)")
            }
            state.apply(certified.block)
        }
        if let recorded = try stateDigests().last, recorded.digest != state.digest {
            throw ClusterAPIError(.stateMismatch, "the governed state replayed to height \(recorded.height) does not match the digest recorded there")
        }
        return state
    }
}
