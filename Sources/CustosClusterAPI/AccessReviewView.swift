import CustosState

/// An access review with a deadline (`GET /v1/governance`'s `accessReview`): the grants it
/// lists, those re-confirmed, and once closed those that lapsed.
public struct AccessReviewView: Codable, Sendable, Equatable {
    /// The operation that opened it.
    public var id: String
    /// Block times, milliseconds since the Unix epoch.
    public var openedAt: UInt64
    public var deadline: UInt64
    /// As `"user role"`, sorted.
    public var grants: [String]
    public var confirmed: [String]
    /// Absent while open.
    public var lapsed: [String]?

    public init(_ review: AccessReview) {
        id = review.id
        openedAt = review.openedAt
        deadline = review.deadline
        grants = review.grants
        confirmed = review.confirmed
        lapsed = review.lapsed
    }
}
