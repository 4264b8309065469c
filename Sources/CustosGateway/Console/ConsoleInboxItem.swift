import CustosClusterAPI
import CustosPolicy
import CustosState

/// One governance operation in one line, for a given viewer: what it does in plain language,
/// who proposed it, the approvals it has and the number the policy in force requires, when it
/// expires, the viewer's part in it, and warnings about the addresses it adds to the address book.
struct ConsoleInboxItem: Sendable {
    let id: String
    let summary: String
    let proposer: String
    let status: String
    let approvalCount: Int
    let requiredCount: Int
    let approvers: String
    /// The approvals still missing, by group and rule, in words.
    let needed: String
    let expires: String
    let yourPart: String
    /// What the policy in force sees in the address-book entries a policy change adds (a
    /// look-alike of an entry, an address planted by a dust transfer), one line each; shown
    /// above everything else.
    let warnings: [ConsoleText]

    init(_ operation: PendingOperation, in state: ReplicatedState, viewer: String?) {
        let proposal = operation.proposal
        id = proposal.id
        summary = ConsoleText.visible(proposal.change.summary)
        proposer = proposal.proposer
        status = operation.status.rawValue
        approvers = operation.approvals.joined(separator: ", ")
        let request = PolicyRequest(id: proposal.id, kind: .governance, initiator: proposal.proposer,
                                    operation: proposal.change.operation, approvals: operation.approvals)
        let decision = state.policy.evaluate(request, in: StateSnapshot(time: Int64(state.time / 1000), frozen: state.frozen))
        let missing = decision.pending.map(\.count).reduce(0, +)
        approvalCount = operation.approvals.count
        requiredCount = decision.countedApprovers.count + missing
        switch decision.outcome {
        case .allow: needed = "nothing more"
        case .deny: needed = "the policy in force denies it (\(ReplicatedState.describe(decision.reason)))"
        case .needsApprovals:
            needed = decision.pending.map { "\($0.count) more from \($0.group) (rule \($0.rule))" }.joined(separator: "; ")
        }
        warnings = state.addressBookWarnings(of: proposal.change).map(ConsoleText.init)
        expires = UTCTime.text(Int64(operation.expiresAt / 1000))
        yourPart = switch viewer {
        case proposal.proposer: "you proposed it"
        case let viewer? where operation.approvals.contains(viewer): "you approved"
        default: operation.isOpen ? "awaiting your decision" : ""
        }
    }
}
