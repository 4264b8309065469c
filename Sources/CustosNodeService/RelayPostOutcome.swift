/// What the gateway did with a relay post.
public enum RelayPostOutcome: Sendable, Equatable {
    /// Every envelope is stored for its recipient.
    case stored(count: Int)
    /// Nothing is stored: the relay holds too much for a recipient or in total; post again
    /// after `retryAfter`.
    case busy(retryAfter: Duration, detail: String)
}
