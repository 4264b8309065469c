import CustosCore

/// The gateway's sequencer as a pure state machine: it proposes at most one block per round of a
/// height, persists the proposal before sending it, gathers votes of that round until q distinct
/// valid ones form a certificate, and names voters whose votes are invalid. When members give up
/// the round (`RoundChange`), it gathers their round changes until they justify a proposal in the
/// next round (`NodeConsensus`, "Rounds"). The gateway is trusted for liveness only; safety does
/// not depend on this code being honest (the nodes' rules do not trust it).
public struct Sequencer: Sendable {
    /// The cluster as of the next height: its voting members change only by `reconfigure`.
    public private(set) var configuration: ClusterConfiguration
    public internal(set) var state: SequencerState
    /// Valid votes for the proposal in flight, by voter. Not durable: nodes re-send on request.
    public internal(set) var votes: [NodeID: Vote] = [:]
    /// Valid round changes for the round in flight, by voter. Not durable: nodes re-send them.
    public internal(set) var roundChanges: [NodeID: RoundChange] = [:]

    /// Rebuilds the sequencer from its persisted state (`SequencerState.genesis` at first start).
    public init(configuration: ClusterConfiguration, state: SequencerState) throws(LedgerError) {
        guard state.genesisDigest == configuration.genesisDigest else {
            throw LedgerError(.invalidConfiguration, "the sequencer state belongs to genesis \(state.genesisDigest.short), not \(configuration.genesisDigest.short)")
        }
        if let pending = state.pending {
            guard pending.height == state.head.height + 1, pending.previousHash == state.head.hash else {
                throw LedgerError(.brokenChain, "stored proposal \(pending.height) does not extend the stored head \(state.head)")
            }
            if state.round > 0 {
                guard let justification = state.justification, justification.height == pending.height,
                      justification.round == state.round - 1, justification.previousHash == state.head.hash
                else { throw LedgerError(.brokenChain, "stored proposal \(pending.height) round \(state.round) lacks its justification") }
            }
        }
        self.configuration = configuration
        self.state = state
    }

    public var head: ChainHead { state.head }
    public var pending: Block? { state.pending }
    /// The proposal in flight with its round and justification, nil if none.
    public var proposal: Proposal? { state.proposal }

    /// Adopts the voting members a committed block decided (call it after that block commits,
    /// before proposing the next). Only the members may change.
    public mutating func reconfigure(_ next: ClusterConfiguration) throws(LedgerError) {
        guard next.genesisDigest == configuration.genesisDigest else {
            throw LedgerError(.invalidConfiguration, "a reconfiguration to genesis \(next.genesisDigest.short), not \(configuration.genesisDigest.short)")
        }
        configuration = next
        votes = votes.filter { next.isMember($0.key) }
        roundChanges = roundChanges.filter { next.isMember($0.key) }
    }

    /// After a restart: the stored proposal to send again, if one is in flight.
    public func resume() -> SequencerAction? { state.pending.map { .resend($0) } }
}
