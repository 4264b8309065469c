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
/// every node records the same refusal in `GovernanceState.refusals`.
public struct GovernanceEntryValidator: EntryValidator {
    public enum Mode: Sendable, Hashable {
        case refuseInvalid
        case recordRefusals
    }

    public private(set) var state: GovernanceState
    public let mode: Mode

    /// A validator over the committed state; use a fresh one for every proposal.
    public init(committed state: GovernanceState, mode: Mode = .refuseInvalid) {
        self.state = state
        self.mode = mode
    }

    public mutating func validate(_ entry: Entry, at index: Int, in block: Block) -> EntryVerdict {
        let before = state
        switch state.apply(entry, blockTime: block.timestamp) {
        case .notGovernance, .applied, .requestDecided:
            return .accept
        case .refused(let error):
            if mode == .refuseInvalid || error.code == .malformed {
                // A rejected entry never commits, so the working state must not keep its refusal.
                state = before
                return .reject(reason: "entry \(index) (\(entry.kind)): \(error.description)")
            }
            return .accept
        }
    }
}
