import CustosCore
import CustosCrypto
import CustosLedger

/// Checks a proposed block's entries against the committed state, for a node deciding whether to
/// vote. It applies each entry to its own working copy, so later entries of the block see earlier
/// ones (a proposal and its approval in one block).
///
/// In either mode an entry that `ReplicatedState.malformation(of:)` names — a kind no node knows
/// (`ReplicatedState.entryKinds`), over its kind's bound, undecodable, or unsigned — is rejected,
/// and with it the block. In `.refuseInvalid` mode any other entry the transition would refuse is
/// rejected too, so only entries that apply reach the log. In `.recordRefusals` mode (what nodes
/// run) a well-formed entry that is refused — a signature that does not verify against the
/// state, a policy that says no — commits, and every node records the same refusal in
/// `ReplicatedState.refusals`: such checks depend on the state, and must not make a block
/// unvotable (see `malformation(of:)`).
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
        // What the entry alone shows is read first: a malformed entry is rejected before the
        // working state moves, so it leaves no trace there.
        let admitted = Result { () throws(GovernanceError) in try ReplicatedState.admit(entry).kind }
        if case .failure(let error) = admitted { return .reject(reason: Self.reason(error, entry, index)) }
        // Keeping the state before an entry costs a copy of every collection the entry changes
        // (the recorded requests, the replay cache): only where a refusal rejects the entry.
        let before = mode == .refuseInvalid ? state : nil
        state.enter(block)
        let outcome = state.apply(entry, admitted: admitted, blockTime: block.timestamp)
        if case .refused(let error) = outcome, let before {
            // A rejected entry never commits, so the working state must not keep its refusal.
            state = before
            return .reject(reason: Self.reason(error, entry, index))
        }
        self.block = block.hash
        outcomes.append(outcome)
        return .accept
    }

    private static func reason(_ error: GovernanceError, _ entry: Entry, _ index: Int) -> String {
        "entry \(index) (\(entry.kind.printable(limit: 64))): \(error.description)"
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
        if block.entries.isEmpty { after.enter(block) }
        return (after, outcomes)
    }
}
