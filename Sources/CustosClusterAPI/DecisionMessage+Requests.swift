import CustosLedger
import CustosState

extension DecisionMessage {
    /// The `request.approve` or `request.reject` entry this message asks for on request
    /// `requestId` (`POST /v1/requests/{id}/approvals` and `/rejections`), timed when the
    /// message says when it was signed.
    public func entry(requestId: String, act: RequestDecisionEntry.Act) throws -> Entry {
        try RequestDecisionEntry(act, requestId: requestId, user: user, assertion: try assertion.decoded(), timing: try timing()).entry()
    }
}
