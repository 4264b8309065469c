import CustosCore
import CustosCrypto
import CustosLedger

/// Checks a proposed block's governance entries against the committed governance state, for a
/// node deciding whether to vote. It applies each entry to its own working copy, so later entries
/// of the block see earlier ones (a proposal and its approval in one block). Entries of other
/// layers are accepted here; compose it with their validators.
///
/// In `.refuseInvalid` mode any entry the transition would refuse is rejected, so only entries
/// that apply reach the log (the gateway filters with the same validator). In `.recordRefusals`
/// mode only undecodable entries are rejected; a well-formed entry that is refused commits and
/// every node records the same refusal in `ReplicatedState.refusals`.
///
/// Once it has accepted a whole block, its working copy is that block's committed state
/// (`applied(_:)`): a node that votes for the block need not apply it again at commit.
public struct StateEntryValidator: EntryValidator {
    public enum Mode: Sendable, Hashable {
        case refuseInvalid
        case recordRefusals
    }

    public private(set) var state: ReplicatedState
    public let mode: Mode
    /// What each accepted entry did, in block order.
    public private(set) var outcomes: [GovernanceOutcome] = []
    /// The block whose entries were accepted so far; nil before the first, and for good once
    /// entries came out of order or from another block.
    private var block: LedgerHash?
    private var inOrder = true

    /// A validator over the committed state; use a fresh one for every proposal.
    public init(committed state: ReplicatedState, mode: Mode = .refuseInvalid) {
        self.state = state
        self.mode = mode
    }

    public mutating func validate(_ entry: Entry, at index: Int, in block: Block) -> EntryVerdict {
        if index != outcomes.count || (self.block != nil && self.block != block.hash) { inOrder = false }
        // Keeping the state before an entry costs a copy of every collection the entry changes
        // (the recorded requests, the replay cache): only where it may be rejected. In
        // `.recordRefusals` mode only a malformed entry is, and every such entry is named by
        // `malformation(of:)`, which reads the entry alone.
        let before = mode == .refuseInvalid || ReplicatedState.malformation(of: entry) != nil ? state : nil
        let outcome = state.apply(entry, of: block)
        if case .refused(let error) = outcome, mode == .refuseInvalid || error.code == .malformed {
            // A rejected entry never commits, so the working state must not keep its refusal.
            guard let before else {
                // Not foreseen by `malformation(of:)`: the working state is no longer the
                // committed state plus accepted entries, so it is never handed out.
                inOrder = false
                return .reject(reason: "entry \(index) (\(entry.kind)): \(error.description)")
            }
            state = before
            return .reject(reason: "entry \(index) (\(entry.kind)): \(error.description)")
        }
        self.block = block.hash
        outcomes.append(outcome)
        return .accept
    }

    /// The committed state after `block` with what each entry did — exactly what
    /// `ReplicatedState.apply(_ block:)` yields from the committed state this validator started
    /// from — if this validator accepted every entry of `block`, in order, and nothing else; nil
    /// otherwise (then apply the block to the committed state instead).
    public func applied(_ block: Block) -> (state: ReplicatedState, outcomes: [GovernanceOutcome])? {
        guard inOrder, outcomes.count == block.entries.count, self.block == nil || self.block == block.hash else { return nil }
        var after = state
        // `apply(_ block:)` moves the clock once for the block and again before every entry; a
        // block without entries was never seen by `validate`, so its clock moves here.
        if block.entries.isEmpty { after.advance(to: block.timestamp) }
        return (after, outcomes)
    }
}
