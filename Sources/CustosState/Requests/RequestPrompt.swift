import CustosPolicy

/// What a person is asked when a request waits for their approval, as every node's policy
/// view reads it: the request (initiator, kind, vault, chain, destination, asset, amount, fee,
/// decoded call or message, memo) and the approvals it waits for. Two pending requests with
/// equal prompts are identical to the person: the console shows them as one line and lets them
/// approve all with one assertion (`RequestBatchApproval`) rather than ask again and again.
/// Only the request's own id and the approvals counted so far are left out.
public struct RequestPrompt: Sendable, Hashable {
    public let request: PolicyRequest
    public let pending: [PolicyDecision.PendingApproval]

    public init(_ recorded: RecordedRequest) {
        var request = recorded.request
        request.id = ""
        request.approvals = []
        self.request = request
        pending = recorded.decision.pending
    }
}
