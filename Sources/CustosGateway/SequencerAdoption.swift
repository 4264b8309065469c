import CustosCore
import CustosLedger
import CustosState

/// How a gateway takes a sequencer state from its store as its own — at start, and whenever
/// another gateway sharing the store moved on: the governed view catches up over the blocks
/// committed since it was last advanced, and the sequencer votes with the members they leave.
enum SequencerAdoption {
    /// The sequencer for `stored` and the governed view advanced to its head. Throws if the store
    /// lacks a committed block at or below its own head.
    static func adopt(
        _ stored: SequencerState, over view: GovernedView, configuration: ClusterConfiguration, store: any GatewayStore
    ) async throws -> (sequencer: Sequencer, view: GovernedView) {
        var view = view
        var height = view.height + 1
        while height <= stored.head.height {
            guard let certified = try await store.committedBlock(height: height) else {
                throw GatewayStoreError(.inconsistent, "the store's head is at \(stored.head.height) but it holds no block at \(height)")
            }
            view.apply(certified.block)
            height += 1
        }
        let sequencer = try Sequencer(configuration: try configuration.reconfigured(members: view.state.members), state: stored)
        return (sequencer, view)
    }
}
