import CustosState

/// A recorded request with its `RequestReview` at the state a page is rendered from, made once
/// per render and handed to everything on the page that shows it (the grouping of the inbox,
/// the inbox line, the request's content), so no request is reviewed twice for one page.
struct ConsoleReviewedRequest: Sendable {
    let recorded: RecordedRequest
    let review: RequestReview

    var id: String { recorded.id }

    init(_ recorded: RecordedRequest, in state: ReplicatedState) {
        self.init(recorded, review: state.review(of: recorded))
    }

    init(_ recorded: RecordedRequest, review: RequestReview) {
        self.recorded = recorded
        self.review = review
    }
}
