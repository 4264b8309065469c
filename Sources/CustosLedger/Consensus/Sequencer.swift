/// The gateway's sequencer as a pure state machine: it proposes at most one block per height,
/// persists the proposal before sending it, gathers votes until q distinct valid ones form a
/// certificate, and names voters whose votes are invalid. The gateway is trusted for liveness
/// only; safety does not depend on this code being honest (the nodes' rules do not trust it).
public struct Sequencer: Sendable {
    public let configuration: ClusterConfiguration
    public internal(set) var state: SequencerState
    /// Valid votes for the proposal in flight, by voter. Not durable: nodes re-send on request.
    public internal(set) var votes: [NodeID: Vote] = [:]

    /// Rebuilds the sequencer from its persisted state (`SequencerState.genesis` at first start).
    public init(configuration: ClusterConfiguration, state: SequencerState) throws(LedgerError) {
        guard state.genesisDigest == configuration.genesisDigest else {
            throw LedgerError(.invalidConfiguration, "the sequencer state belongs to genesis \(state.genesisDigest.short), not \(configuration.genesisDigest.short)")
        }
        if let pending = state.pending {
            guard pending.height == state.head.height + 1, pending.previousHash == state.head.hash else {
                throw LedgerError(.brokenChain, "stored proposal \(pending.height) does not extend the stored head \(state.head)")
            }
        }
        self.configuration = configuration
        self.state = state
    }

    public var head: ChainHead { state.head }
    public var pending: Block? { state.pending }

    /// After a restart: the stored proposal to send again, if one is in flight.
    public func resume() -> SequencerAction? { state.pending.map { .resend($0) } }
}
