import CustosCore
import CustosLedger

/// The gateway's durable store: queued entries, the sequencer state (committed head and the
/// proposal in flight) and committed certified blocks. Implemented by `SQLiteGatewayStore`
/// (embedded default) and `PostgresGatewayStore` (several gateways sharing one database).
///
/// Promises of every implementation: a write returns only once it is durable (relay messages:
/// once they survive the gateway process, see `storeRelayMessages`); `storeProposal`
/// and `storeCommitted` are compare-and-swap over the stored sequencer state
/// (`SequencerSuccession`), so gateways sharing one store never store two different proposals
/// in one round of a height and never overwrite a committed head with an older one. A write that loses
/// returns `.conflict` with the state that won, and changes nothing.
public protocol GatewayStore: Sendable {
    /// Appends entries to the queue in one transaction (one fsync for all); returns their queue
    /// ids in order. Nothing is queued if any insert fails.
    func enqueue(_ entries: [Entry]) async throws -> [Int64]
    /// Where the entry with `digest` first committed, nil if it has not. `storeCommitted`
    /// indexes a block's entries in the same transaction.
    func committedEntry(digest: LedgerHash) async throws -> CommittedEntry?
    /// The oldest queued entries, at most `limit`.
    func queued(limit: Int) async throws -> [QueuedEntry]
    func queuedCount() async throws -> Int
    /// The stored sequencer state, nil before the first proposal.
    func sequencerState() async throws -> SequencerState?
    /// Stores a new proposal (inside `state`) and removes the entries it carries from the queue,
    /// in one transaction that commits before the proposal is sent to any node.
    func storeProposal(_ state: SequencerState, consumed: [Int64]) async throws -> GatewayStoreWrite
    /// Stores a certified block with the advanced sequencer state and the index of its entries'
    /// digests, in one transaction.
    func storeCommitted(_ certified: CertifiedBlock, state: SequencerState) async throws -> GatewayStoreWrite
    /// The certified block at `height`, nil if none is committed there.
    func committedBlock(height: UInt64) async throws -> CertifiedBlock?
    /// Committed blocks from `height` on, ascending, at most `limit`; stops at the first gap.
    func committedBlocks(from height: UInt64, limit: Int) async throws -> [CertifiedBlock]
    /// Deletes the relay messages expired at `now`, then stores `messages` in one transaction
    /// unless that would take a recipient or the relay past `limits` (then nothing is stored).
    /// Cursors ascend in the order messages become visible, also across gateways sharing the
    /// store; a message already held for its recipient, byte for byte, is not stored again.
    /// Relay writes need not survive the machine losing power (the store may commit them
    /// without waiting for the disk): a message lost times its signing attempt or ceremony round
    /// out, as one a gateway drops does.
    func storeRelayMessages(_ messages: [RelayMessage], limits: RelayLimits, now: UInt64) async throws -> RelayWrite
    /// Deletes `recipient`'s messages up to `cursor` (acknowledged) and every message expired at
    /// `now`, then returns `recipient`'s oldest messages after `cursor`, at most `limit`.
    func relayInbox(of recipient: String, after cursor: Int64, now: UInt64, limit: Int) async throws -> [QueuedRelayMessage]
}

/// One queued entry and its queue id.
public struct QueuedEntry: Sendable, Hashable {
    public let id: Int64
    public let entry: Entry

    public init(id: Int64, entry: Entry) {
        self.id = id
        self.entry = entry
    }
}

/// The result of a conditional sequencer write.
public enum GatewayStoreWrite: Sendable, Hashable {
    /// Written and durable.
    case stored
    /// Not written: the stored state (another gateway's, or a newer one) does not allow it.
    case conflict(stored: SequencerState)
}

extension GatewayStoreWrite {
    /// The conflict a store reports for a refused write of `state`; with no state stored there
    /// is nothing to adopt, so that is an error naming the write.
    static func refusing(_ state: SequencerState, over stored: SequencerState?) throws -> GatewayStoreWrite {
        guard let stored else {
            throw GatewayStoreError(.inconsistent, "refused to store the sequencer at \(state.head) with nothing stored before it")
        }
        return .conflict(stored: stored)
    }
}

extension GatewayStore {
    /// Appends one entry to the queue; returns its queue id.
    public func enqueue(_ entry: Entry) async throws -> Int64 {
        guard let id = try await enqueue([entry]).first else { throw GatewayStoreError(.inconsistent, "the store returned no queue id") }
        return id
    }
}
